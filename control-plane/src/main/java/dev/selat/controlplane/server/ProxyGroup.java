package dev.selat.controlplane.server;

import com.google.protobuf.Value;
import dev.selat.controlplane.config.NodeMetadata;
import dev.selat.controlplane.envoy.ClientKind;
import dev.selat.controlplane.routing.HostPort;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.Arrays;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Proxies that get identical resources: same client kind, role, site, declared upstreams and
 * listener. Read once per stream from the node (the metadata {@code selatctl bootstrap} writes).
 *
 * @param gateway whether the proxy is its site's gateway (role {@code gateway}): it gets its own site's instances only,
 *     and listens on {@code outbound} for the other sites' sidecars
 * @param upstreams the services the proxy asked for; empty means all
 * @param probePort a gateway's probe port ({@link NodeMetadata#PROBE_PORT}), if it forwards probes
 */
record ProxyGroup(ClientKind kind, boolean gateway, String site, Optional<SortedSet<String>> upstreams,
    HostPort outbound, Optional<Integer> probePort) {
  static final String DOES_NOT_SUPPORT_OVERPROVISIONING = "envoy.lb.does_not_support_overprovisioning";
  static final HostPort DEFAULT_OUTBOUND = new HostPort("127.0.0.1", 15001);

  static ProxyGroup of(Node node) {
    boolean grpc = NodeMetadata.ROLE_GRPC.equals(meta(node, NodeMetadata.ROLE))
        || NodeMetadata.SPILL_COMPUTED.equals(meta(node, NodeMetadata.SPILL))
        || node.getClientFeaturesList().contains(DOES_NOT_SUPPORT_OVERPROVISIONING);
    String site = meta(node, NodeMetadata.SITE);
    if (site.isEmpty()) {
      site = node.getLocality().getZone();
    }
    String upstreams = meta(node, NodeMetadata.UPSTREAMS);
    Optional<SortedSet<String>> declared = upstreams.isBlank() ? Optional.empty()
        : Optional.of(new TreeSet<>(Arrays.stream(upstreams.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()));
    HostPort outbound = DEFAULT_OUTBOUND;
    try {
      String address = meta(node, NodeMetadata.OUTBOUND_ADDRESS);
      String port = meta(node, NodeMetadata.OUTBOUND_PORT);
      outbound = new HostPort(address.isEmpty() ? DEFAULT_OUTBOUND.host() : address,
          port.isEmpty() ? DEFAULT_OUTBOUND.port() : Integer.parseInt(port));
    } catch (IllegalArgumentException e) {
      // A bad outbound port in the metadata: the default listener, rather than none.
    }
    boolean gateway = !grpc && NodeMetadata.ROLE_GATEWAY.equals(meta(node, NodeMetadata.ROLE));
    Optional<Integer> probePort = Optional.empty();
    if (gateway && !meta(node, NodeMetadata.PROBE_PORT).isEmpty()) {
      try {
        int port = Integer.parseInt(meta(node, NodeMetadata.PROBE_PORT));
        probePort = port >= 1 && port <= 65535 ? Optional.of(port) : Optional.empty();
      } catch (NumberFormatException e) {
        // A bad probe port: no probe listener, rather than a broken one.
      }
    }
    return new ProxyGroup(grpc ? ClientKind.GRPC : ClientKind.ENVOY, gateway, site, declared,
        grpc ? DEFAULT_OUTBOUND : outbound, probePort);
  }

  boolean wants(String service) {
    return upstreams.map(u -> u.contains(service)).orElse(true);
  }

  /** The xds-server group name: equal groups share one snapshot. */
  String key() {
    return (gateway ? "gateway" : kind.name().toLowerCase()) + "|" + site + "|" + upstreams.map(u -> String.join(",", u)).orElse("*")
        + (kind == ClientKind.ENVOY ? "|" + outbound : "") + probePort.map(p -> "|probe:" + p).orElse("");
  }

  /** A node metadata value as a string (numbers as integers); empty when absent. */
  static String meta(Node node, String key) {
    Value v = node.getMetadata().getFieldsOrDefault(key, Value.getDefaultInstance());
    return v.hasStringValue() ? v.getStringValue() : v.hasNumberValue() ? String.valueOf((long) v.getNumberValue()) : "";
  }
}
