package dev.selat.controlplane.cli;

import static java.util.Objects.requireNonNull;

import dev.selat.controlplane.config.NodeMetadata;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who a proxy is, as its bootstrap tells the control plane: node id and cluster, locality (region if known, zone = the
 * site id) and the {@link NodeMetadata} keys. Shared by the Envoy and the gRPC bootstrap.
 *
 * @param upstreams the services it calls; empty: all
 */
record ProxyIdentity(
    String nodeId,
    String cluster,
    String site,
    Optional<String> region,
    String role,
    Optional<String> service,
    List<String> upstreams) {

  ProxyIdentity {
    requireNonNull(nodeId, "nodeId");
    requireNonNull(cluster, "cluster");
    requireNonNull(site, "site");
    requireNonNull(region, "region");
    requireNonNull(role, "role");
    requireNonNull(service, "service");
    upstreams = List.copyOf(upstreams);
  }

  /** The {@code node} section (the same shape in Envoy's bootstrap and gRFC A27's); {@code extra} adds metadata. */
  Map<String, Object> node(Map<String, String> extra) {
    Map<String, Object> locality = new LinkedHashMap<>();
    region.ifPresent(r -> locality.put("region", r));
    locality.put("zone", site);
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put(NodeMetadata.SITE, site);
    metadata.put(NodeMetadata.ROLE, role);
    service.ifPresent(s -> metadata.put(NodeMetadata.SERVICE, s));
    if (!upstreams.isEmpty()) {
      metadata.put(NodeMetadata.UPSTREAMS, String.join(",", upstreams));
    }
    metadata.putAll(extra);
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("id", nodeId);
    node.put("cluster", cluster);
    node.put("locality", locality);
    node.put("metadata", metadata);
    return node;
  }
}
