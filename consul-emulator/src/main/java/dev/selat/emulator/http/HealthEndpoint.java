package dev.selat.emulator.http;

import dev.selat.emulator.acl.Access;
import dev.selat.emulator.acl.Resource;
import dev.selat.emulator.filter.Filter;
import dev.selat.emulator.state.Catalog;
import dev.selat.emulator.state.HealthCheck;
import dev.selat.emulator.state.Node;
import dev.selat.emulator.state.ServiceInstance;
import dev.selat.emulator.state.Table;
import dev.selat.emulator.state.Watches.WatchSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** /v1/health/*: node, checks, state, service, connect. */
final class HealthEndpoint {
  private static final Set<String> STATES = Set.of("any", HealthCheck.PASSING, HealthCheck.WARNING, HealthCheck.CRITICAL);
  private final Site site;

  HealthEndpoint(Site site) {
    this.site = site;
  }

  void routes(Router r) {
    r.get("/v1/health/node/", this::node);
    r.get("/v1/health/checks/", this::checks);
    r.get("/v1/health/state/", this::state);
    r.get("/v1/health/service/", c -> service(c, false));
    r.get("/v1/health/connect/", c -> service(c, true));
  }

  private Reply node(Call c) {
    site.checkDc(c);
    String name = c.required("node name");
    Filter f = Filters.of(c);
    return Blocking.run(c, site.store(), r -> {
      boolean allowed = c.authz().allowed(Resource.NODE, name, Access.READ);
      List<Map<String, Object>> out = allowed ? Views.checks(Catalog.checksOf(r, name)) : List.of();
      return new Blocking.Answer(Filters.apply(f, out), r.index("checks"), WatchSet.of("checks"), !allowed);
    });
  }

  private Reply checks(Call c) {
    site.checkDc(c);
    String name = c.required("service name");
    Filter f = Filters.of(c);
    Map<String, String> meta = CatalogEndpoint.nodeMeta(c);
    return Blocking.run(c, site.store(), r -> {
      boolean allowed = c.authz().allowed(Resource.SERVICE, name, Access.READ);
      List<Map<String, Object>> out = new ArrayList<>();
      for (ServiceInstance s : allowed ? r.instancesOf(name) : List.<ServiceInstance>of()) {
        Node n = r.<Node>get(Table.NODES, s.node()).orElseThrow();
        if (CatalogEndpoint.metaMatches(n, meta)) {
          Catalog.checksOf(r, s.node()).stream().filter(ch -> ch.serviceId().equals(s.id()))
              .forEach(ch -> out.add(Views.check(ch)));
        }
      }
      return new Blocking.Answer(Filters.apply(f, out), Catalog.serviceQueryIndex(r, name, true),
          WatchSet.of(Catalog.serviceIndex(name)), !allowed);
    });
  }

  private Reply state(Call c) {
    site.checkDc(c);
    String state = c.required("check state");
    if (!STATES.contains(state)) {
      throw HttpError.badRequest("Invalid check state: " + state);
    }
    Filter f = Filters.of(c);
    Map<String, String> meta = CatalogEndpoint.nodeMeta(c);
    return Blocking.run(c, site.store(), r -> {
      List<Map<String, Object>> out = new ArrayList<>();
      boolean hidden = false;
      for (HealthCheck ch : r.<HealthCheck>all(Table.CHECKS)) {
        boolean visible = c.authz().allowed(Resource.NODE, ch.node(), Access.READ)
            && (ch.serviceName().isEmpty() || c.authz().allowed(Resource.SERVICE, ch.serviceName(), Access.READ));
        hidden |= !visible;
        Node n = r.<Node>get(Table.NODES, ch.node()).orElseThrow();
        if (visible && (state.equals("any") || state.equals(ch.status())) && CatalogEndpoint.metaMatches(n, meta)) {
          out.add(Views.check(ch));
        }
      }
      return new Blocking.Answer(Filters.apply(f, out), r.index("checks"), WatchSet.of("checks"), hidden);
    });
  }

  /** health/service/:s, or with {@code connect} health/connect/:s (the instances serving it over Connect). */
  private Reply service(Call c, boolean connect) {
    site.checkDc(c);
    String name = c.required("service name");
    Filter f = Filters.of(c);
    Map<String, String> meta = CatalogEndpoint.nodeMeta(c);
    List<String> tags = c.params("tag");
    boolean passingOnly = c.has("passing") && !"false".equals(c.param("passing"));
    return Blocking.run(c, site.store(), r -> {
      boolean allowed = c.authz().allowed(Resource.SERVICE, name, Access.READ);
      List<Map<String, Object>> out = new ArrayList<>();
      List<ServiceInstance> instances = !allowed ? List.of()
          : connect ? Catalog.connectInstancesOf(r, name) : r.instancesOf(name);
      for (ServiceInstance s : instances) {
        Node n = r.<Node>get(Table.NODES, s.node()).orElseThrow();
        if (!s.tags().containsAll(tags) || !CatalogEndpoint.metaMatches(n, meta)) {
          continue;
        }
        List<HealthCheck> checks = Catalog.checksOfInstance(r, s);
        if (passingOnly && checks.stream().anyMatch(ch -> !HealthCheck.PASSING.equals(ch.status()))) {
          continue;
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("Node", Views.node(n));
        entry.put("Service", Views.agentService(s, site.dc(), true));
        entry.put("Checks", Views.checks(checks));
        out.add(entry);
      }
      return connect
          ? new Blocking.Answer(Filters.apply(f, out), r.maxIndex("services", "checks"),
              WatchSet.of("services", "checks"), !allowed)
          : new Blocking.Answer(Filters.apply(f, out), Catalog.serviceQueryIndex(r, name, true),
              WatchSet.of(Catalog.serviceIndex(name)), !allowed);
    });
  }
}
