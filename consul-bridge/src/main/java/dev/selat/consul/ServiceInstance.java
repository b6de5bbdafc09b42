package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * One registered instance of a service. {@code address} is the service address, or the node address when the service has
 * none (Consul's rule).
 */
public record ServiceInstance(
    String id,
    String node,
    String address,
    int port,
    List<String> tags,
    Map<String, String> meta,
    Weights weights,
    HealthStatus status) {

  public ServiceInstance {
    requireNonNull(id, "id");
    requireNonNull(node, "node");
    requireNonNull(address, "address");
    if (address.isEmpty()) {
      throw new ConsulConfigException("instance " + id + ".address", "neither the service nor its node has an address");
    }
    if (port < 0 || port > 65535) {
      throw new ConsulConfigException("instance " + id + ".port", "must be within 0..65535, was " + port);
    }
    tags = List.copyOf(tags);
    meta = Map.copyOf(meta);
    requireNonNull(weights, "weights");
    requireNonNull(status, "status");
  }
}
