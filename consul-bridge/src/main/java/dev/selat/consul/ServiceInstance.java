package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One registered instance of a service. {@code address} is the service address, or the node address when the service has
 * none (Consul's rule; {@code usesNodeAddress} says which). {@code taggedAddresses} are the service's
 * ({@code Service.TaggedAddresses}), {@code nodeTaggedAddresses} and {@code nodeMeta} its node's ({@code
 * Node.TaggedAddresses}, {@code Node.Meta}). Every component takes part in equality: a changed tagged address or node
 * meta is a changed instance.
 */
public record ServiceInstance(
    String id,
    String node,
    String address,
    int port,
    List<String> tags,
    Map<String, String> meta,
    Weights weights,
    HealthStatus status,
    Map<String, TaggedAddress> taggedAddresses,
    Map<String, String> nodeTaggedAddresses,
    Map<String, String> nodeMeta,
    boolean usesNodeAddress) {

  /** The tagged address name Consul's {@code translate_wan_addrs} uses for clients in other datacenters. */
  public static final String WAN = "wan";

  public ServiceInstance {
    requireNonNull(id, "id");
    requireNonNull(node, "node");
    requireNonNull(address, "address");
    if (address.isEmpty()) {
      throw new ConsulAnswerException("instance " + id + ".address", "neither the service nor its node has an address");
    }
    if (port < 0 || port > 65535) {
      throw new ConsulAnswerException("instance " + id + ".port", "must be within 0..65535, was " + port);
    }
    tags = List.copyOf(tags);
    meta = Map.copyOf(meta);
    requireNonNull(weights, "weights");
    requireNonNull(status, "status");
    taggedAddresses = Map.copyOf(taggedAddresses);
    nodeTaggedAddresses = Map.copyOf(nodeTaggedAddresses);
    nodeMeta = Map.copyOf(nodeMeta);
  }

  /** An instance with its own service address and no tagged addresses or node meta. */
  public ServiceInstance(String id, String node, String address, int port, List<String> tags, Map<String, String> meta,
      Weights weights, HealthStatus status) {
    this(id, node, address, port, tags, meta, weights, status, Map.of(), Map.of(), Map.of(), false);
  }

  /**
   * The address a client in another site should use, by Consul's {@code translate_wan_addrs} rule for the {@code wan}
   * tag (agent/translate_addr.go, as applied to /v1/health/service answers): the service's {@code wan} tagged address;
   * else, when the instance has no service address of its own, its node's {@code wan} tagged address. The port is the
   * service {@code wan} tagged address's port when set (non-zero), else the service port. Empty when neither applies:
   * then remote clients use {@link #address()} and {@link #port()}.
   */
  public Optional<TaggedAddress> wanAddress() {
    TaggedAddress serviceWan = taggedAddresses.get(WAN);
    int wanPort = serviceWan != null && serviceWan.port() != 0 ? serviceWan.port() : port;
    if (serviceWan != null && !serviceWan.address().isEmpty()) {
      return Optional.of(new TaggedAddress(serviceWan.address(), wanPort));
    }
    String nodeWan = nodeTaggedAddresses.getOrDefault(WAN, "");
    if (usesNodeAddress && !nodeWan.isEmpty()) {
      return Optional.of(new TaggedAddress(nodeWan, wanPort));
    }
    return Optional.empty();
  }
}
