package dev.selat.emulator.state;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Catalog writes and the index rules of Consul's state store (agent/consul/state/catalog.go):
 * a node change bumps its services' indexes, a check change bumps its service's index (a node
 * check bumps every service on the node), and the last instance of a service leaving sets
 * "service_last_extinction". Stateless: every method works inside the caller's transaction.
 */
public final class Catalog {
  public static final String SERVICE_EXTINCTION = "service_last_extinction";
  public static final String NODE_EXTINCTION = "node_last_extinction";

  private Catalog() {}

  public static String serviceIndex(String service) {
    return "service." + service;
  }

  /** Index of a service query as Consul's maxIndexForService computes it. */
  public static long serviceQueryIndex(ReadTx r, String service, boolean withChecks) {
    long idx = r.index(serviceIndex(service));
    if (!r.instancesOf(service).isEmpty() && idx > 0) {
      return idx;
    }
    long extinction = r.index(SERVICE_EXTINCTION);
    if (extinction > 0) {
      return extinction;
    }
    return withChecks ? r.maxIndex("nodes", "services", "checks") : r.maxIndex("nodes", "services");
  }

  /**
   * Instances that serve Connect traffic for {@code service}: connect-proxies whose destination it
   * is, and the service's own instances when Connect-native. A scan: Connect queries are rare here.
   */
  public static List<ServiceInstance> connectInstancesOf(ReadTx r, String service) {
    List<ServiceInstance> out = new ArrayList<>();
    for (ServiceInstance s : r.<ServiceInstance>all(Table.SERVICES)) {
      boolean proxy = "connect-proxy".equals(s.kind()) && s.proxy() != null
          && service.equals(s.proxy().path("DestinationServiceName").asText());
      boolean nativeApp = s.service().equals(service) && s.connect() != null && s.connect().path("Native").asBoolean();
      if (proxy || nativeApp) {
        out.add(s);
      }
    }
    return out;
  }

  public static Collection<ServiceInstance> servicesOf(ReadTx r, String node) {
    return r.scan(Table.SERVICES, Table.nodePrefix(node));
  }

  public static Collection<HealthCheck> checksOf(ReadTx r, String node) {
    return r.scan(Table.CHECKS, Table.nodePrefix(node));
  }

  /** Checks that apply to one instance: its own and its node's. */
  public static List<HealthCheck> checksOfInstance(ReadTx r, ServiceInstance s) {
    List<HealthCheck> out = new ArrayList<>();
    for (HealthCheck c : checksOf(r, s.node())) {
      if (c.serviceId().isEmpty() || c.serviceId().equals(s.id())) {
        out.add(c);
      }
    }
    return out;
  }

  public static void ensureNode(WriteTx tx, Node node) {
    Optional<Node> existing = tx.get(Table.NODES, node.name());
    if (existing.isPresent() && existing.get().sameAs(node)) {
      return;
    }
    long create = existing.map(Node::createIndex).orElse(tx.txIndex());
    tx.put(Table.NODES, node.name(), node.withIndexes(create, tx.txIndex()));
    servicesOf(tx, node.name()).forEach(s -> tx.touchIndex(serviceIndex(s.service())));
  }

  public static void ensureService(WriteTx tx, ServiceInstance svc) {
    if (tx.get(Table.NODES, svc.node()).isEmpty()) {
      throw new StateException("Node " + svc.node() + " does not exist");
    }
    Optional<ServiceInstance> existing = tx.get(Table.SERVICES, svc.key());
    if (existing.isPresent() && existing.get().sameAs(svc)) {
      return;
    }
    long create = existing.map(ServiceInstance::createIndex).orElse(tx.txIndex());
    tx.put(Table.SERVICES, svc.key(), svc.withIndexes(create, tx.txIndex()));
    tx.touchIndex(serviceIndex(svc.service()));
    existing.filter(e -> !e.service().equals(svc.service())).ifPresent(e -> serviceLeft(tx, e.service()));
    // Service checks carry the service's name and tags: keep them in step when those change.
    boolean renamedOrRetagged = existing.isPresent()
        && (!existing.get().service().equals(svc.service()) || !existing.get().tags().equals(svc.tags()));
    for (HealthCheck c : renamedOrRetagged ? checksOf(tx, svc.node()) : List.<HealthCheck>of()) {
      if (c.serviceId().equals(svc.id())
          && (!c.serviceName().equals(svc.service()) || !c.serviceTags().equals(svc.tags()))) {
        tx.put(Table.CHECKS, c.key(), new HealthCheck(c.node(), c.checkId(), c.name(), c.status(), c.notes(),
            c.output(), c.serviceId(), svc.service(), svc.tags(), c.type(), c.definition(), c.createIndex(),
            tx.txIndex()));
      }
    }
  }

  /** Inserts or updates a check; its indexes only move when something in it changed. */
  public static void ensureCheck(WriteTx tx, HealthCheck check) {
    if (tx.get(Table.NODES, check.node()).isEmpty()) {
      throw new StateException("Missing node registration");
    }
    HealthCheck c = check;
    if (!c.serviceId().isEmpty()) {
      ServiceInstance s = tx.<ServiceInstance>get(Table.SERVICES, Table.nodeKey(c.node(), c.serviceId()))
          .orElseThrow(() -> new StateException("Missing service registration"));
      c = new HealthCheck(c.node(), c.checkId(), c.name(), c.status(), c.notes(), c.output(), c.serviceId(),
          s.service(), s.tags(), c.type(), c.definition(), 0, 0);
    }
    Optional<HealthCheck> existing = tx.get(Table.CHECKS, c.key());
    if (existing.isPresent() && existing.get().sameAs(c)) {
      return;
    }
    long create = existing.map(HealthCheck::createIndex).orElse(tx.txIndex());
    tx.put(Table.CHECKS, c.key(), c.withIndexes(create, tx.txIndex()));
    touchServicesOfCheck(tx, c);
    if (HealthCheck.CRITICAL.equals(c.status())) {
      Sessions.invalidateForCheck(tx, c);
    }
  }

  public static boolean deleteCheck(WriteTx tx, String node, String checkId) {
    Optional<HealthCheck> c = tx.get(Table.CHECKS, Table.nodeKey(node, checkId));
    if (c.isEmpty()) {
      return false;
    }
    tx.delete(Table.CHECKS, c.get().key());
    touchServicesOfCheck(tx, c.get());
    Sessions.invalidateForCheck(tx, c.get());
    return true;
  }

  public static boolean deleteService(WriteTx tx, String node, String serviceId) {
    Optional<ServiceInstance> s = tx.get(Table.SERVICES, Table.nodeKey(node, serviceId));
    if (s.isEmpty()) {
      return false;
    }
    for (HealthCheck c : List.copyOf(checksOf(tx, node))) {
      if (c.serviceId().equals(serviceId)) {
        deleteCheck(tx, node, c.checkId());
      }
    }
    tx.delete(Table.SERVICES, s.get().key());
    tx.touchIndex(serviceIndex(s.get().service()));
    serviceLeft(tx, s.get().service());
    return true;
  }

  public static boolean deleteNode(WriteTx tx, String node) {
    if (tx.get(Table.NODES, node).isEmpty()) {
      return false;
    }
    for (ServiceInstance s : List.copyOf(servicesOf(tx, node))) {
      deleteService(tx, node, s.id());
    }
    for (HealthCheck c : List.copyOf(checksOf(tx, node))) {
      deleteCheck(tx, node, c.checkId());
    }
    for (Coordinate c : List.copyOf(tx.<Coordinate>scan(Table.COORDINATES, Table.nodePrefix(node)))) {
      tx.delete(Table.COORDINATES, Coordinate.key(c.node(), c.segment()));
    }
    for (Session s : List.copyOf(tx.<Session>all(Table.SESSIONS))) {
      if (s.node().equals(node)) {
        Sessions.destroy(tx, s.id());
      }
    }
    tx.delete(Table.NODES, node);
    tx.touchIndex(NODE_EXTINCTION);
    return true;
  }

  private static void serviceLeft(WriteTx tx, String service) {
    if (tx.instancesOf(service).isEmpty()) {
      tx.touchIndex(SERVICE_EXTINCTION);
      tx.touchIndex("services");
    }
  }

  private static void touchServicesOfCheck(WriteTx tx, HealthCheck c) {
    if (!c.serviceName().isEmpty()) {
      tx.touchIndex(serviceIndex(c.serviceName()));
    } else {
      servicesOf(tx, c.node()).forEach(s -> tx.touchIndex(serviceIndex(s.service())));
    }
  }
}
