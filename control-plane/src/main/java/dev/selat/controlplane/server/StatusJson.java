package dev.selat.controlplane.server;

import dev.selat.controlplane.latency.AgentEstimate;
import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.controlplane.routing.SitePair;
import dev.selat.xds.XdsStreamStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The status page's one data document ({@code /api/status}): sites with their sync state and data age, the latency
 * matrix with jitter and loss, one service's routes for every client site (the same data as {@code /debug/routes}),
 * the proxies (as {@code /debug/proxies}) and the recent events. Plain maps, durations in milliseconds.
 */
final class StatusJson {
  private StatusJson() {}

  /** @param service the service whose routes to include; empty: the first service by name */
  static Map<String, Object> status(RouteEngine.Views views, boolean ready, List<XdsStreamStatus> streams,
      List<EventLog.Event> events, Optional<String> service, Instant now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("generatedAt", now.toString());
    m.put("ready", ready);
    List<Map<String, Object>> sites = new ArrayList<>();
    views.states().forEach((site, freshness) -> {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("site", site);
      s.put("state", freshness.state().name().toLowerCase());
      Optional.ofNullable(views.sites().get(site)).ifPresent(in -> {
        Map<String, Object> d = DebugJson.site(in);
        d.remove("site");
        s.putAll(d);
      });
      // The age now, not as of the site's latest catalog: a site whose Consul is down sends none.
      s.put("dataAgeMs", DebugJson.ms(freshness.age(now)));
      sites.add(s);
    });
    m.put("sites", sites);
    m.put("cells", cells(views));
    TreeSet<String> services = new TreeSet<>();
    views.routes().values().forEach(byService -> services.addAll(byService.keySet()));
    String chosen = service.filter(services::contains).orElse(services.isEmpty() ? null : services.first());
    m.put("services", List.copyOf(services));
    m.put("service", chosen);
    List<Map<String, Object>> routes = new ArrayList<>();
    if (chosen != null) {
      views.routes().forEach((client, byService) -> {
        ServiceRoute r = byService.get(chosen);
        if (r != null) {
          routes.add(DebugJson.route(r));
        }
      });
    }
    m.put("routes", routes);
    m.put("proxies", DebugJson.proxies(streams, null).get("proxies"));
    m.put("events", events.stream().map(StatusJson::event).toList());
    return m;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> cells(RouteEngine.Views views) {
    List<Map<String, Object>> cells = (List<Map<String, Object>>) DebugJson.latency(views).get("cells");
    for (Map<String, Object> cell : cells) {
      List<AgentEstimate> agents = views.estimates()
          .getOrDefault(new SitePair((String) cell.get("from"), (String) cell.get("to")), List.of());
      List<AgentEstimate> usable = agents.stream().filter(a -> !a.lost()).toList();
      cell.put("agents", agents.size());
      cell.put("jitterMs", usable.isEmpty() ? null
          : usable.stream().mapToDouble(a -> DebugJson.ms(a.jitter())).max().orElse(0));
      cell.put("lossRatio", agents.isEmpty() ? null : agents.stream().mapToDouble(AgentEstimate::lossRatio).max().orElse(0));
    }
    return cells;
  }

  private static Map<String, Object> event(EventLog.Event e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seq", e.seq());
    m.put("at", e.at().toString());
    m.put("kind", e.kind().label());
    m.put("site", e.site().orElse(null));
    m.put("service", e.service().orElse(null));
    m.put("message", e.message());
    return m;
  }
}
