package dev.selat.controlplane.server;

import dev.selat.controlplane.config.NodeMetadata;
import dev.selat.controlplane.routing.HeldLatency;
import dev.selat.controlplane.routing.LatencyCell;
import dev.selat.controlplane.routing.LocalityRoute;
import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.controlplane.routing.SiteInput;
import dev.selat.controlplane.routing.SiteReason;
import dev.selat.xds.XdsStreamStatus;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code /debug} pages' JSON, as plain maps (durations in milliseconds). */
final class DebugJson {
  private DebugJson() {}

  static Map<String, Object> latency(RouteEngine.Views views) {
    List<Map<String, Object>> cells = new ArrayList<>();
    views.measured().cells().forEach((pair, cell) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("from", pair.from());
      m.put("to", pair.to());
      putCell(m, cell);
      views.held().held(pair.from(), pair.to()).ifPresent(h -> {
        m.put("routingRttMs", ms(h.rtt()));
        m.put("routingSource", h.source().label());
        h.divergingSince().ifPresent(since -> m.put("hysteresisHoldingSince", since.toString()));
        h.driftingSince().ifPresent(since -> m.put("hysteresisSettlingSince", since.toString()));
      });
      cells.add(m);
    });
    return Map.of("cells", cells);
  }

  /** {@code now}: the sites' data age is given as of now (a site whose Consul is down sends no new catalog). */
  static Map<String, Object> routes(RouteEngine.Views views, String site, String service, java.time.Instant now) {
    List<Map<String, Object>> out = new ArrayList<>();
    views.routes().forEach((client, byService) -> {
      if (site != null && !site.equals(client)) {
        return;
      }
      byService.forEach((name, route) -> {
        if (service == null || service.equals(name)) {
          out.add(route(route));
        }
      });
    });
    List<Map<String, Object>> sites = new ArrayList<>();
    views.sites().values().forEach(s -> {
      Map<String, Object> m = site(s);
      Optional.ofNullable(views.states().get(s.site())).ifPresent(f -> m.put("dataAgeMs", ms(f.age(now))));
      sites.add(m);
    });
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sites", sites);
    m.put("routes", out);
    return m;
  }

  static Map<String, Object> site(SiteInput s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("site", s.site());
    m.put("region", s.region());
    m.put("dataAgeMs", ms(s.dataAge()));
    m.put("expired", s.expired());
    m.put("expiredMode", s.expiredMode().name().toLowerCase());
    m.put("services", s.services().size());
    return m;
  }

  static Map<String, Object> route(ServiceRoute r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("clientSite", r.clientSite());
    m.put("service", r.service());
    m.put("shares", r.shares());
    List<Map<String, Object>> localities = new ArrayList<>();
    for (LocalityRoute l : r.priorities()) {
      Map<String, Object> lm = new LinkedHashMap<>();
      lm.put("site", l.site());
      lm.put("priority", l.priority());
      lm.put("weight", l.weight());
      lm.put("endpoints", l.endpoints().stream().map(e -> Map.of("id", e.id(), "address", e.address().toString(),
          "weight", e.weight(), "health", e.health().name())).toList());
      localities.add(lm);
    }
    m.put("priorities", localities);
    List<Map<String, Object>> reasons = new ArrayList<>();
    for (SiteReason reason : r.reasons()) {
      Map<String, Object> rm = new LinkedHashMap<>();
      rm.put("site", reason.site());
      rm.put("priority", reason.priority().orElse(null));
      rm.put("weight", reason.weight());
      rm.put("sharePerMille", reason.sharePerMille());
      rm.put("rttMs", ms(reason.rtt()));
      rm.put("rttSource", reason.source().map(src -> src.label()).orElse("local"));
      rm.put("rttAgeMs", ms(reason.rttAge()));
      rm.put("healthy", reason.healthy());
      rm.put("total", reason.total());
      rm.put("dataAgeMs", ms(reason.dataAge()));
      rm.put("note", reason.note());
      reasons.add(rm);
    }
    m.put("reasons", reasons);
    return m;
  }

  /**
   * Every connected proxy by node id (then stream id): who it is (site and role as Selat reads them
   * from the node), its stream, and per type what was sent, ACKed and NACKed; {@code site} keeps
   * one site's proxies.
   */
  static Map<String, Object> proxies(List<XdsStreamStatus> streams, String site) {
    List<Map<String, Object>> out = new ArrayList<>();
    streams.stream()
        .sorted(Comparator.comparing(XdsStreamStatus::nodeId).thenComparingLong(s -> s.stream().id()))
        .forEach(s -> {
          String proxySite = ProxyGroup.of(s.stream().node()).site();
          if (site == null || site.equals(proxySite)) {
            out.add(proxy(s, proxySite));
          }
        });
    return Map.of("proxies", out);
  }

  private static Map<String, Object> proxy(XdsStreamStatus s, String site) {
    Node node = s.stream().node();
    String role = ProxyGroup.meta(node, NodeMetadata.ROLE);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("nodeId", s.nodeId());
    m.put("site", site);
    m.put("role", role.isEmpty() ? null : role);
    m.put("cluster", node.getCluster());
    Map<String, Object> locality = new LinkedHashMap<>();
    locality.put("region", node.getLocality().getRegion());
    locality.put("zone", node.getLocality().getZone());
    m.put("locality", locality);
    m.put("metadata", s.nodeMetadata());
    m.put("streamId", s.stream().id());
    m.put("protocol", s.stream().protocol().name().toLowerCase());
    m.put("service", s.stream().service());
    m.put("group", s.stream().group());
    m.put("connectedAt", s.connectedAt().toString());
    m.put("types", s.types().stream().map(DebugJson::type).toList());
    return m;
  }

  private static Map<String, Object> type(XdsStreamStatus.TypeStatus t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("typeUrl", t.typeUrl());
    m.put("sentVersion", t.sentVersion().orElse(null));
    m.put("sentNonce", t.sentNonce().orElse(null));
    m.put("awaitingAck", t.awaitingAck());
    m.put("ackedVersion", t.ackedVersion().orElse(null));
    m.put("lastNack", t.lastNack().map(n -> {
      Map<String, Object> nack = new LinkedHashMap<>();
      nack.put("version", n.version());
      nack.put("errorDetail", n.errorDetail());
      nack.put("at", n.at().toString());
      return nack;
    }).orElse(null));
    Map<String, Object> subscription = new LinkedHashMap<>();
    subscription.put("wildcard", t.subscription().wildcard());
    subscription.put("count", t.subscription().count());
    subscription.put("names", t.subscription().names());
    m.put("subscription", subscription);
    return m;
  }

  private static void putCell(Map<String, Object> m, LatencyCell cell) {
    m.put("rttMs", ms(cell.rtt()));
    m.put("source", cell.source().label());
    m.put("ageMs", ms(cell.age()));
  }

  static double ms(Duration d) {
    return d.toNanos() / 1_000_000.0;
  }
}
