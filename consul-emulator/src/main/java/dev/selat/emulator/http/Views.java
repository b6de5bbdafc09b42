package dev.selat.emulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selat.emulator.state.HealthCheck;
import dev.selat.emulator.state.KvEntry;
import dev.selat.emulator.state.Node;
import dev.selat.emulator.state.ServiceInstance;
import dev.selat.emulator.state.Session;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows as Consul's JSON (the structs of github.com/hashicorp/consul/api): field names, order and
 * nil-vs-empty as the Go encoder writes them (an empty tag list or meta map is {@code null}).
 */
public final class Views {
  private Views() {}

  static Object listOrNull(Collection<?> c) {
    return c == null || c.isEmpty() ? null : c;
  }

  static Object mapOrNull(Map<?, ?> m) {
    return m == null || m.isEmpty() ? null : m;
  }

  public static Map<String, Object> node(Node n) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ID", n.id());
    m.put("Node", n.name());
    m.put("Address", n.address());
    m.put("Datacenter", n.datacenter());
    m.put("TaggedAddresses", mapOrNull(n.taggedAddresses()));
    m.put("Meta", mapOrNull(n.meta()));
    m.put("CreateIndex", n.createIndex());
    m.put("ModifyIndex", n.modifyIndex());
    return m;
  }

  static Map<String, Object> weights(ServiceInstance s) {
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("Passing", s.weightPassing());
    w.put("Warning", s.weightWarning());
    return w;
  }

  /**
   * api.AgentService: as the agent answers ({@code catalogShape} false, with Datacenter) or as the
   * catalog's NodeService ({@code catalogShape} true: indexes, empty Proxy/Connect, no Datacenter).
   */
  public static Map<String, Object> agentService(ServiceInstance s, String datacenter, boolean catalogShape) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (!s.kind().isEmpty()) {
      m.put("Kind", s.kind());
    }
    m.put("ID", s.id());
    m.put("Service", s.service());
    // The agent answers [] and {} for no tags or meta (buildAgentService); the catalog's NodeService null.
    m.put("Tags", catalogShape ? listOrNull(s.tags()) : s.tags());
    m.put("Meta", catalogShape ? mapOrNull(s.meta()) : s.meta());
    m.put("Port", s.port());
    m.put("Address", s.address());
    if (s.taggedAddresses() != null && !s.taggedAddresses().isEmpty()) {
      m.put("TaggedAddresses", s.taggedAddresses());
    }
    m.put("Weights", weights(s));
    m.put("EnableTagOverride", s.enableTagOverride());
    if (s.extra() != null) {
      s.extra().fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
    }
    if (catalogShape) {
      m.put("CreateIndex", s.createIndex());
      m.put("ModifyIndex", s.modifyIndex());
    }
    putIfPresent(m, "Proxy", s.proxy());
    putIfPresent(m, "Connect", s.connect());
    if (catalogShape) {
      // The catalog's NodeService shape: Proxy and Connect always present (empty), no Datacenter.
      m.putIfAbsent("Proxy", Map.of("MeshGateway", Map.of(), "Expose", Map.of()));
      m.putIfAbsent("Connect", Map.of());
    } else {
      m.put("Datacenter", datacenter);
    }
    return m;
  }

  /** api.CatalogService: a node and one of its services, flattened. */
  public static Map<String, Object> catalogService(Node n, ServiceInstance s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ID", n.id());
    m.put("Node", n.name());
    m.put("Address", n.address());
    m.put("Datacenter", n.datacenter());
    m.put("TaggedAddresses", mapOrNull(n.taggedAddresses()));
    m.put("NodeMeta", mapOrNull(n.meta()));
    m.put("ServiceKind", s.kind());
    m.put("ServiceID", s.id());
    m.put("ServiceName", s.service());
    m.put("ServiceTags", listOrNull(s.tags()));
    m.put("ServiceAddress", s.address());
    putIfPresent(m, "ServiceTaggedAddresses", s.taggedAddresses());
    m.put("ServiceWeights", weights(s));
    m.put("ServiceMeta", mapOrNull(s.meta()));
    m.put("ServicePort", s.port());
    m.put("ServiceEnableTagOverride", s.enableTagOverride());
    if (s.extra() != null) {
      s.extra().fields().forEachRemaining(e -> m.put("Service" + e.getKey(), e.getValue()));
    }
    putIfPresent(m, "ServiceProxy", s.proxy());
    putIfPresent(m, "ServiceConnect", s.connect());
    m.put("CreateIndex", s.createIndex());
    m.put("ModifyIndex", s.modifyIndex());
    return m;
  }

  public static Map<String, Object> check(HealthCheck c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Node", c.node());
    m.put("CheckID", c.checkId());
    m.put("Name", c.name());
    m.put("Status", c.status());
    m.put("Notes", c.notes());
    m.put("Output", c.output());
    m.put("ServiceID", c.serviceId());
    m.put("ServiceName", c.serviceName());
    m.put("ServiceTags", c.serviceId().isEmpty() ? null : c.serviceTags());
    m.put("Type", c.type());
    JsonNode d = c.definition();
    if (d != null) {
      if (d.has("Interval")) {
        m.put("Interval", d.get("Interval").asText());
      }
      if (d.has("Timeout")) {
        m.put("Timeout", d.get("Timeout").asText());
      }
    }
    m.put("ExposedPort", 0);
    m.put("Definition", d == null ? Map.of() : d);
    m.put("CreateIndex", c.createIndex());
    m.put("ModifyIndex", c.modifyIndex());
    return m;
  }

  public static Map<String, Object> kv(KvEntry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("LockIndex", e.lockIndex());
    m.put("Key", e.key());
    m.put("Flags", unsigned(e.flags()));
    m.put("Value", e.value() == null ? null : Base64.getEncoder().encodeToString(e.value()));
    if (!e.session().isEmpty()) {
      m.put("Session", e.session());
    }
    m.put("CreateIndex", e.createIndex());
    m.put("ModifyIndex", e.modifyIndex());
    return m;
  }

  public static Map<String, Object> session(Session s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ID", s.id());
    m.put("Name", s.name());
    m.put("Node", s.node());
    m.put("LockDelay", s.lockDelayNanos());
    m.put("Behavior", s.behavior());
    m.put("TTL", s.ttl());
    m.put("NodeChecks", s.nodeChecks());
    m.put("ServiceChecks", s.serviceChecks().isEmpty() ? null
        : s.serviceChecks().stream().map(id -> Map.of("ID", id, "Namespace", "")).toList());
    m.put("CreateIndex", s.createIndex());
    m.put("ModifyIndex", s.modifyIndex());
    return m;
  }

  /** A Go uint64 stored in a long. */
  static Object unsigned(long v) {
    return v >= 0 ? (Object) v : new java.math.BigInteger(Long.toUnsignedString(v));
  }

  static List<Map<String, Object>> checks(Collection<HealthCheck> cs) {
    return cs.stream().map(Views::check).toList();
  }

  private static void putIfPresent(Map<String, Object> m, String key, JsonNode v) {
    if (v != null && !v.isNull() && !v.isMissingNode()) {
      m.put(key, v);
    }
  }
}
