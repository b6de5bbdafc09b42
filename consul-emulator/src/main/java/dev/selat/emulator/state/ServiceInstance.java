package dev.selat.emulator.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * One service instance registered on a node. Nested Consul structures the emulator only stores
 * and returns (tagged addresses, proxy, connect; in {@code extra}: Locality, SocketPath, Ports) are
 * kept as JSON, read-only.
 */
public record ServiceInstance(
    String node,
    String kind,
    String id,
    String service,
    List<String> tags,
    String address,
    JsonNode taggedAddresses,
    Map<String, String> meta,
    int port,
    int weightPassing,
    int weightWarning,
    boolean enableTagOverride,
    JsonNode proxy,
    JsonNode connect,
    JsonNode extra,
    long createIndex,
    long modifyIndex) {
  public ServiceInstance {
    tags = tags == null ? List.of() : List.copyOf(tags);
    meta = meta == null ? Map.of() : Map.copyOf(meta);
    kind = kind == null ? "" : kind;
    address = address == null ? "" : address;
  }

  public String key() {
    return Table.nodeKey(node, id);
  }

  public ServiceInstance withIndexes(long create, long modify) {
    return new ServiceInstance(node, kind, id, service, tags, address, taggedAddresses, meta, port,
        weightPassing, weightWarning, enableTagOverride, proxy, connect, extra, create, modify);
  }

  public boolean sameAs(ServiceInstance o) {
    return o != null && withIndexes(0, 0).equals(o.withIndexes(0, 0));
  }
}
