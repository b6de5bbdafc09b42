package dev.selat.emulator.http;

import dev.selat.emulator.acl.Access;
import dev.selat.emulator.acl.Resource;
import dev.selat.emulator.agent.LocalAgent;
import dev.selat.emulator.state.Catalog;
import dev.selat.emulator.state.HealthCheck;
import dev.selat.emulator.state.ServiceInstance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * /v1/agent/health/service/id/:id and /name/:name: a local service's aggregated health, told by the
 * status code as Consul does (200 passing, 429 warning, 503 critical or maintenance, 404 unknown).
 */
final class AgentHealthEndpoint {
  private final Site site;

  AgentHealthEndpoint(Site site) {
    this.site = site;
  }

  void routes(Router r) {
    r.get("/v1/agent/health/service/id/", c -> byId(c, c.required("service ID")));
    r.get("/v1/agent/health/service/name/", c -> byName(c, c.required("service name")));
  }

  private record Info(String status, Map<String, Object> body) {}

  private Info info(ServiceInstance s) {
    List<HealthCheck> checks = new ArrayList<>(site.store().read(r -> Catalog.checksOfInstance(r, s)));
    checks.removeIf(ch -> ch.checkId().equals(LocalAgent.SERF_CHECK));
    String status = aggregate(checks);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("AggregatedStatus", status);
    body.put("Service", Views.agentService(s, site.dc(), false));
    body.put("Checks", checks.stream().map(Views::check).toList());
    return new Info(status, body);
  }

  /** api.HealthChecks.AggregatedStatus: maintenance, then critical, then warning, else passing. */
  static String aggregate(List<HealthCheck> checks) {
    boolean warning = false;
    boolean critical = false;
    for (HealthCheck c : checks) {
      if (c.checkId().equals("_node_maintenance") || c.checkId().startsWith("_service_maintenance:")) {
        return HealthCheck.MAINTENANCE;
      }
      critical |= c.status().equals(HealthCheck.CRITICAL);
      warning |= c.status().equals(HealthCheck.WARNING);
    }
    return critical ? HealthCheck.CRITICAL : warning ? HealthCheck.WARNING : HealthCheck.PASSING;
  }

  private static int code(String status) {
    return switch (status) {
      case HealthCheck.PASSING -> 200;
      case HealthCheck.WARNING -> 429;
      default -> 503;
    };
  }

  private static Reply answer(Call c, int code, String status, Object body) {
    return "text".equals(c.param("format")) ? Reply.text(code, status) : Reply.json(body).withStatus(code);
  }

  private Reply byId(Call c, String id) {
    String node = site.agent().nodeName();
    ServiceInstance s = site.store().read(r -> Catalog.servicesOf(r, node).stream()
        .filter(x -> x.id().equals(id)).findFirst()).orElse(null);
    if (s == null) {
      return Reply.text(404, "ServiceId " + id + " not found");
    }
    c.require(Resource.SERVICE, s.service(), Access.READ);
    Info info = info(s);
    return answer(c, code(info.status()), info.status(), info.body());
  }

  private Reply byName(Call c, String name) {
    c.require(Resource.SERVICE, name, Access.READ);
    String node = site.agent().nodeName();
    List<ServiceInstance> all = site.store().read(r -> Catalog.servicesOf(r, node).stream()
        .filter(x -> x.service().equals(name)).toList());
    if (all.isEmpty()) {
      return Reply.text(404, "ServiceName " + name + " Not Found");
    }
    List<Info> infos = all.stream().map(this::info).toList();
    int code = infos.stream().mapToInt(i -> code(i.status())).max().orElse(200);
    String status = code == 200 ? HealthCheck.PASSING : code == 429 ? HealthCheck.WARNING : HealthCheck.CRITICAL;
    return answer(c, code, status, infos.stream().map(Info::body).toList());
  }
}
