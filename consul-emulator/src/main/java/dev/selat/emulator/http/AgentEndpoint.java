package dev.selat.emulator.http;

import dev.selat.emulator.acl.Access;
import dev.selat.emulator.acl.Resource;
import dev.selat.emulator.agent.LocalAgent;
import dev.selat.emulator.filter.Filter;
import dev.selat.emulator.state.Catalog;
import dev.selat.emulator.state.HealthCheck;
import dev.selat.emulator.state.ServiceInstance;
import dev.selat.emulator.state.Table;
import dev.selat.emulator.state.Watches.WatchSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** /v1/agent/* services, checks and maintenance; the agent's identity lives in {@link AgentInfoEndpoint}. */
final class AgentEndpoint {
  private static final String NODE_MAINT = "_node_maintenance";
  private static final String SERVICE_MAINT_PREFIX = "_service_maintenance:";
  private final Site site;
  private final String node;

  AgentEndpoint(Site site) {
    this.site = site;
    this.node = site.agent().nodeName();
  }

  void routes(Router r) {
    r.get("/v1/agent/services", this::services);
    r.get("/v1/agent/service/", this::service);
    r.get("/v1/agent/checks", this::checks);
    r.put("/v1/agent/service/register", this::registerService);
    r.put("/v1/agent/service/deregister/", this::deregisterService);
    r.put("/v1/agent/service/maintenance/", this::serviceMaintenance);
    r.put("/v1/agent/maintenance", this::nodeMaintenance);
    r.put("/v1/agent/check/register", this::registerCheck);
    r.put("/v1/agent/check/deregister/", this::deregisterCheck);
    r.put("/v1/agent/check/pass/", c -> ttl(c, HealthCheck.PASSING, c.param("note", "")));
    r.put("/v1/agent/check/warn/", c -> ttl(c, HealthCheck.WARNING, c.param("note", "")));
    r.put("/v1/agent/check/fail/", c -> ttl(c, HealthCheck.CRITICAL, c.param("note", "")));
    r.put("/v1/agent/check/update/", this::updateCheck);
  }

  private Reply services(Call c) {
    c.require(Resource.AGENT, node, Access.READ);
    Filter f = Filters.of(c);
    return Blocking.run(c, site.store(), r -> {
      Map<String, Object> out = new LinkedHashMap<>();
      boolean hidden = false;
      for (ServiceInstance s : Catalog.servicesOf(r, node)) {
        if (s.id().equals("consul")) {
          continue; // the server's own service lives in the catalog, not in the agent's local state
        }
        if (c.authz().allowed(Resource.SERVICE, s.service(), Access.READ)) {
          out.put(s.id(), Views.agentService(s, site.dc(), false));
        } else {
          hidden = true;
        }
      }
      return new Blocking.Answer(Filters.applyValues(f, out), r.maxIndex("services", "nodes"),
          WatchSet.of("services", "nodes"), hidden);
    });
  }

  private Reply service(Call c) {
    String id = c.required("service ID");
    Reply reply = Blocking.run(c, site.store(), r -> {
      Optional<ServiceInstance> s = r.get(Table.SERVICES, Table.nodeKey(node, id));
      Map<String, Object> out = s.map(x -> Views.agentService(x, site.dc(), false)).orElse(null);
      String hash = null;
      if (out != null) {
        hash = AgentServiceHash.of(out);
        out.put("ContentHash", hash);
      }
      return new Blocking.Answer(out, r.index("services"), WatchSet.of("services", "nodes"), false, hash);
    });
    if (reply.json() == null) {
      return Reply.text(404, "unknown service ID: " + id);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> svc = (Map<String, Object>) reply.json();
    c.require(Resource.SERVICE, (String) svc.get("Service"), Access.READ);
    return reply;
  }

  private Reply checks(Call c) {
    c.require(Resource.AGENT, node, Access.READ);
    Filter f = Filters.of(c);
    return Blocking.run(c, site.store(), r -> {
      Map<String, Object> out = new LinkedHashMap<>();
      for (HealthCheck ch : Catalog.checksOf(r, node)) {
        if (!ch.checkId().equals(LocalAgent.SERF_CHECK)) {
          Map<String, Object> v = Views.check(ch);
          v.remove("CreateIndex");
          v.remove("ModifyIndex");
          out.put(ch.checkId(), v);
        }
      }
      return new Blocking.Answer(Filters.applyValues(f, out), r.index("checks"), WatchSet.of("checks"));
    });
  }

  private Reply registerService(Call c) {
    Body b = Body.parse(c.body(), "AgentServiceRegistration");
    ServiceInstance s = Registrations.service(b, node, true);
    c.require(Resource.SERVICE, s.service(), Access.WRITE);
    List<HealthCheck> checks = new ArrayList<>();
    List<Body> defs = new ArrayList<>();
    if (!b.obj("Check").isNull()) {
      defs.add(b.obj("Check"));
    }
    defs.addAll(b.objs("Checks"));
    for (int i = 0; i < defs.size(); i++) {
      String dflt = "service:" + s.id() + (defs.size() > 1 ? ":" + (i + 1) : "");
      checks.add(Registrations.check(defs.get(i), node, s, dflt,
          "Status for checks must 'passing', 'warning', 'critical'"));
    }
    boolean replace = c.has("replace-existing-checks") && !"false".equals(c.param("replace-existing-checks"));
    site.store().write(tx -> {
      Catalog.ensureService(tx, s);
      if (replace) {
        for (HealthCheck old : List.copyOf(Catalog.checksOf(tx, node))) {
          if (old.serviceId().equals(s.id()) && checks.stream().noneMatch(n -> n.checkId().equals(old.checkId()))) {
            Catalog.deleteCheck(tx, node, old.checkId());
          }
        }
      }
      checks.forEach(ch -> Catalog.ensureCheck(tx, ch));
      return null;
    });
    checks.forEach(site.agent()::arm);
    return Reply.empty();
  }

  private Reply deregisterService(Call c) {
    String id = c.required("service ID");
    ServiceInstance s = site.store().read(r -> r.<ServiceInstance>get(Table.SERVICES, Table.nodeKey(node, id)))
        .orElseThrow(() -> HttpError.notFound("Unknown service ID \"" + id + "\". Ensure that the service ID is passed, not the service name."));
    c.require(Resource.SERVICE, s.service(), Access.WRITE);
    site.store().write(tx -> Catalog.deleteService(tx, node, id));
    return Reply.empty();
  }

  private Reply serviceMaintenance(Call c) {
    String id = c.required("service ID");
    boolean enable = enableParam(c);
    ServiceInstance s = site.store().read(r -> r.<ServiceInstance>get(Table.SERVICES, Table.nodeKey(node, id)))
        .orElseThrow(() -> HttpError.notFound("No service registered with ID \"" + id + "\""));
    c.require(Resource.SERVICE, s.service(), Access.WRITE);
    String reason = c.param("reason", "");
    maintenance(SERVICE_MAINT_PREFIX + id, "Service Maintenance Mode", id, enable, reason.isEmpty()
        ? "Maintenance mode is enabled for this service, but no reason was provided. This is a default message."
        : reason);
    return Reply.empty();
  }

  private Reply nodeMaintenance(Call c) {
    boolean enable = enableParam(c);
    c.require(Resource.NODE, node, Access.WRITE);
    String reason = c.param("reason", "");
    maintenance(NODE_MAINT, "Node Maintenance Mode", "", enable, reason.isEmpty()
        ? "Maintenance mode is enabled for this node, but no reason was provided. This is a default message."
        : reason);
    return Reply.empty();
  }

  private static boolean enableParam(Call c) {
    String v = c.param("enable");
    if (v == null || v.isEmpty()) {
      throw HttpError.badRequest("Missing value for enable");
    }
    if (!v.equals("true") && !v.equals("false")) {
      throw HttpError.badRequest("Invalid value for enable: \"" + v + "\"");
    }
    return v.equals("true");
  }

  private void maintenance(String checkId, String name, String serviceId, boolean enable, String notes) {
    site.store().write(tx -> {
      if (enable) {
        Catalog.ensureCheck(tx, new HealthCheck(node, checkId, name, HealthCheck.CRITICAL, notes, "", serviceId, "",
            List.of(), "maintenance", null, 0, 0));
      } else {
        Catalog.deleteCheck(tx, node, checkId);
      }
      return null;
    });
  }

  private Reply registerCheck(Call c) {
    Body b = Body.parse(c.body(), "AgentCheckRegistration");
    if (b.str("Name").isEmpty()) {
      throw HttpError.badRequest("Missing check name");
    }
    HealthCheck probe = Registrations.check(b, node, null, null, "Bad check status");
    ServiceInstance s = null;
    if (!probe.serviceId().isEmpty()) {
      s = site.store().read(r -> r.<ServiceInstance>get(Table.SERVICES, Table.nodeKey(node, probe.serviceId())))
          .orElseThrow(() -> HttpError.notFound("ServiceID \"" + probe.serviceId() + "\" does not exist"));
      c.require(Resource.SERVICE, s.service(), Access.WRITE);
    } else {
      c.require(Resource.NODE, node, Access.WRITE);
    }
    HealthCheck check = s == null ? probe : Registrations.check(b, node, s, null, "Bad check status");
    site.store().write(tx -> {
      Catalog.ensureCheck(tx, check);
      return null;
    });
    site.agent().arm(check);
    return Reply.empty();
  }

  private Reply deregisterCheck(Call c) {
    String id = c.required("check ID");
    HealthCheck ch = localCheck(id);
    requireCheckWrite(c, ch);
    site.store().write(tx -> Catalog.deleteCheck(tx, node, id));
    site.agent().disarm(id);
    return Reply.empty();
  }

  private Reply updateCheck(Call c) {
    Body b = Body.parse(c.body(), "checkUpdate");
    String status = b.str("Status");
    if (!List.of(HealthCheck.PASSING, HealthCheck.WARNING, HealthCheck.CRITICAL).contains(status)) {
      throw HttpError.badRequest("Invalid check status: '" + status + "'");
    }
    return ttl(c, status, b.str("Output"));
  }

  private Reply ttl(Call c, String status, String output) {
    String id = c.required("check ID");
    HealthCheck ch = localCheck(id);
    requireCheckWrite(c, ch);
    if (ch.definition() == null || !ch.definition().has("TTL")) {
      throw new HttpError(500, "CheckID \"" + id + "\" does not have associated TTL");
    }
    site.agent().updateTtl(id, status, output);
    return Reply.empty();
  }

  private HealthCheck localCheck(String id) {
    return site.store().read(r -> r.<HealthCheck>get(Table.CHECKS, Table.nodeKey(node, id))).orElseThrow(() ->
        HttpError.notFound("Unknown check ID \"" + id + "\". Ensure that the check ID is passed, not the check name."));
  }

  private void requireCheckWrite(Call c, HealthCheck ch) {
    if (ch.serviceName().isEmpty()) {
      c.require(Resource.NODE, node, Access.WRITE);
    } else {
      c.require(Resource.SERVICE, ch.serviceName(), Access.WRITE);
    }
  }
}
