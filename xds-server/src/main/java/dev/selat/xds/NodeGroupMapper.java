package dev.selat.xds;

import io.envoyproxy.envoy.config.core.v3.Node;

/**
 * Maps a client's node (id, cluster, locality, metadata) to the group whose snapshot it receives,
 * for example the client's site. Called once per stream, on the stream's executor.
 */
@FunctionalInterface
public interface NodeGroupMapper {

  /** The group of {@code node}; must not be null. */
  String group(Node node);

  /** Every node gets the group named by its {@code cluster} field. */
  static NodeGroupMapper byNodeCluster() {
    return Node::getCluster;
  }

  /** Every node gets the same group. */
  static NodeGroupMapper constant(String group) {
    return node -> group;
  }
}
