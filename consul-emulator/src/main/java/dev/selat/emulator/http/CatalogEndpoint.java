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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** /v1/catalog/*: register, deregister, datacenters, nodes, services, service, node, node-services. */
final class CatalogEndpoint {
  private final Site site;

  CatalogEndpoint(Site site) {
    this.site = site;
  }

  void routes(Router r) {
    r.put("/v1/catalog/register", this::register);
    r.put("/v1/catalog/deregister", this::deregister);
    r.get("/v1/catalog/datacenters", c -> Reply.json(List.of(site.dc())));
    r.get("/v1/catalog/nodes", this::nodes);
    r.get("/v1/catalog/services", this::services);
    r.get("/v1/catalog/service/", c -> service(c, false));
    r.get("/v1/catalog/connect/", c -> service(c, true));
    r.get("/v1/catalog/node/", this::node);
    r.get("/v1/catalog/node-services/", this::nodeServices);
  }

  private Reply register(Call c) {
    site.checkDc(c);
    Body b = Body.parse(c.body(), "RegisterRequest");
    site.checkDc(b.str("Datacenter"));
    String nodeName = writableNode(c, b);
    Body svc = b.obj("Service");
    ServiceInstance s = svc.isNull() ? null : Registrations.service(svc, nodeName, false);
    if (s != null) {
      c.require(Resource.SERVICE, s.service(), Access.WRITE);
    }
    List<HealthCheck> checks = new ArrayList<>();
    Body one = b.obj("Check");
    if (!one.isNull()) {
      checks.add(catalogCheck(one, nodeName, s));
    }
    for (Body cb : b.objs("Checks")) {
      checks.add(catalogCheck(cb, nodeName, s));
    }
    boolean skipNode = b.bool("SkipNodeUpdate");
    String address = b.str("Address");
    if (address.isEmpty() && !skipNode) {
      throw new HttpError(500, "Must provide address if SkipNodeUpdate is not set");
    }
    checkNodeId(b.str("ID"));
    Node node = new Node(b.str("ID"), nodeName, address, site.dc(), b.stringMap("TaggedAddresses"),
        b.stringMap("NodeMeta"), 0, 0);
    site.store().write(tx -> {
      if (!skipNode || tx.get(Table.NODES, nodeName).isEmpty()) {
        Catalog.ensureNode(tx, node);
      }
      if (s != null) {
        Catalog.ensureService(tx, s);
      }
      checks.forEach(ch -> Catalog.ensureCheck(tx, ch));
      return null;
    });
    return Reply.json(true);
  }

  /** Node IDs are UUIDs; Consul's RPC layer refuses others (500, go-uuid's words). */
  private static void checkNodeId(String id) {
    if (id.isEmpty()) {
      return;
    }
    if (id.length() != 36) {
      throw new HttpError(500, "Bad node ID: uuid string is wrong length");
    }
    if (!id.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
      throw new HttpError(500, "Bad node ID: uuid is improperly formatted");
    }
  }

  private static HealthCheck catalogCheck(Body b, String node, ServiceInstance service) {
    HealthCheck c = Registrations.check(b, node, null, null);
    if (!b.str("Node").isEmpty() && !b.str("Node").equals(node)) {
      throw HttpError.badRequest("Check node \"" + b.str("Node") + "\" does not match node \"" + node + "\"");
    }
    return c;
  }

  /** The request's Node, which must be named (Consul's RPC layer answers 500) and writable by the caller's token. */
  private static String writableNode(Call c, Body b) {
    String node = b.str("Node");
    if (node.isEmpty()) {
      throw new HttpError(500, "Must provide node");
    }
    c.require(Resource.NODE, node, Access.WRITE);
    return node;
  }

  private Reply deregister(Call c) {
    site.checkDc(c);
    Body b = Body.parse(c.body(), "DeregisterRequest");
    site.checkDc(b.str("Datacenter"));
    String node = writableNode(c, b);
    String serviceId = b.str("ServiceID");
    String checkId = b.str("CheckID");
    site.store().write(tx -> {
      if (!serviceId.isEmpty()) {
        Catalog.deleteService(tx, node, serviceId);
      } else if (!checkId.isEmpty()) {
        Catalog.deleteCheck(tx, node, checkId);
      } else {
        Catalog.deleteNode(tx, node);
      }
      return null;
    });
    return Reply.json(true);
  }

  private Reply nodes(Call c) {
    site.checkDc(c);
    Filter f = Filters.of(c);
    Map<String, String> meta = nodeMeta(c);
    return Blocking.run(c, site.store(), r -> {
      List<Map<String, Object>> out = new ArrayList<>();
      boolean hidden = false;
      for (Node n : r.<Node>all(Table.NODES)) {
        if (!c.authz().allowed(Resource.NODE, n.name(), Access.READ)) {
          hidden = true;
        } else if (metaMatches(n, meta)) {
          out.add(Views.node(n));
        }
      }
      return new Blocking.Answer(Filters.apply(f, out), r.maxIndex("nodes", "services"),
          WatchSet.of("nodes", "services"), hidden);
    });
  }

  private Reply services(Call c) {
    site.checkDc(c);
    Map<String, String> meta = nodeMeta(c);
    Filter f = Filters.of(c);
    return Blocking.run(c, site.store(), r -> {
      Map<String, Set<String>> tags = new TreeMap<>();
      boolean hidden = false;
      for (String name : r.serviceNames()) {
        if (!c.authz().allowed(Resource.SERVICE, name, Access.READ)) {
          hidden = true;
          continue;
        }
        for (ServiceInstance s : r.instancesOf(name)) {
          Node n = r.<Node>get(Table.NODES, s.node()).orElseThrow();
          if (metaMatches(n, meta) && (f.matchesAll() || f.matches(Json.tree(Views.catalogService(n, s))))) {
            tags.computeIfAbsent(name, k -> new LinkedHashSet<>()).addAll(s.tags());
          }
        }
      }
      return new Blocking.Answer(tags, r.index("services"), WatchSet.of("services"), hidden);
    });
  }

  /** catalog/service/:s, or with {@code connect} catalog/connect/:s (the instances serving it over Connect). */
  private Reply service(Call c, boolean connect) {
    site.checkDc(c);
    String name = c.required("service name");
    Filter f = Filters.of(c);
    Map<String, String> meta = nodeMeta(c);
    List<String> tags = c.params("tag");
    return Blocking.run(c, site.store(), r -> {
      List<Map<String, Object>> out = new ArrayList<>();
      boolean allowed = c.authz().allowed(Resource.SERVICE, name, Access.READ);
      List<ServiceInstance> instances = !allowed ? List.of()
          : connect ? Catalog.connectInstancesOf(r, name) : r.instancesOf(name);
      for (ServiceInstance s : instances) {
        Node n = r.<Node>get(Table.NODES, s.node()).orElseThrow();
        if (s.tags().containsAll(tags) && metaMatches(n, meta)) {
          out.add(Views.catalogService(n, s));
        }
      }
      return connect
          ? new Blocking.Answer(Filters.apply(f, out), r.index("services"), WatchSet.of("services", "checks"), !allowed)
          : new Blocking.Answer(Filters.apply(f, out), Catalog.serviceQueryIndex(r, name, false),
              WatchSet.of(Catalog.serviceIndex(name)), !allowed);
    });
  }

  private Reply node(Call c) {
    site.checkDc(c);
    String name = c.required("node name");
    Filter f = Filters.of(c);
    return Blocking.run(c, site.store(), r -> {
      Optional<Node> n = r.get(Table.NODES, name);
      Map<String, Object> out = null;
      if (n.isPresent() && c.authz().allowed(Resource.NODE, name, Access.READ)) {
        Map<String, Object> services = new LinkedHashMap<>();
        for (ServiceInstance s : visible(c, Catalog.servicesOf(r, name))) {
          services.put(s.id(), Views.agentService(s, site.dc(), true));
        }
        out = new LinkedHashMap<>();
        out.put("Node", Views.node(n.get()));
        out.put("Services", Filters.applyValues(f, services));
      }
      return new Blocking.Answer(out, r.maxIndex("nodes", "services"), WatchSet.of("nodes", "services"));
    });
  }

  private Reply nodeServices(Call c) {
    site.checkDc(c);
    String name = c.required("node name");
    Filter f = Filters.of(c);
    return Blocking.run(c, site.store(), r -> {
      Optional<Node> n = r.get(Table.NODES, name);
      Map<String, Object> out = null;
      if (n.isPresent() && c.authz().allowed(Resource.NODE, name, Access.READ)) {
        List<Map<String, Object>> services = new ArrayList<>();
        for (ServiceInstance s : visible(c, Catalog.servicesOf(r, name))) {
          services.add(Views.agentService(s, site.dc(), true));
        }
        out = new LinkedHashMap<>();
        out.put("Node", Views.node(n.get()));
        out.put("Services", Filters.apply(f, services));
      }
      return new Blocking.Answer(out, r.maxIndex("nodes", "services"), WatchSet.of("nodes", "services"));
    });
  }

  static List<ServiceInstance> visible(Call c, java.util.Collection<ServiceInstance> all) {
    return all.stream().filter(s -> c.authz().allowed(Resource.SERVICE, s.service(), Access.READ)).toList();
  }

  /** ?node-meta=key:value (repeatable); every pair must match. */
  static Map<String, String> nodeMeta(Call c) {
    Map<String, String> meta = new LinkedHashMap<>();
    for (String kv : c.params("node-meta")) {
      int at = kv.indexOf(':');
      if (at < 0) {
        meta.put(kv, "");
      } else {
        meta.put(kv.substring(0, at), kv.substring(at + 1));
      }
    }
    return meta;
  }

  static boolean metaMatches(Node n, Map<String, String> meta) {
    for (Map.Entry<String, String> e : meta.entrySet()) {
      if (!e.getValue().equals(n.meta().get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
