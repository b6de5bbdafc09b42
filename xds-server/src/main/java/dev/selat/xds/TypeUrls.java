package dev.selat.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.List;
import java.util.Optional;

/** The type URLs of the four core xDS resource types, and the order the server pushes them in. */
public final class TypeUrls {
  private static final String PREFIX = "type.googleapis.com/";

  public static final String CLUSTER = PREFIX + "envoy.config.cluster.v3.Cluster";
  public static final String ENDPOINT = PREFIX + "envoy.config.endpoint.v3.ClusterLoadAssignment";
  public static final String LISTENER = PREFIX + "envoy.config.listener.v3.Listener";
  public static final String ROUTE = PREFIX + "envoy.config.route.v3.RouteConfiguration";

  /**
   * Make-before-break: a cluster exists before its endpoints, and both before the listener and
   * route that reference them. Types outside the core four follow.
   */
  static final List<String> ADD_ORDER = List.of(CLUSTER, ENDPOINT, LISTENER, ROUTE);

  /** Removals break in the reverse dependency order: what references a resource goes first. */
  static final List<String> REMOVE_ORDER = List.of(LISTENER, ROUTE, CLUSTER, ENDPOINT);

  private TypeUrls() {}

  static String typeUrlOf(com.google.protobuf.Message resource) {
    return PREFIX + resource.getDescriptorForType().getFullName();
  }

  /**
   * SotW needs the full set of resources in every response only for Listener and Cluster: a name
   * missing from such a response means the resource was deleted.
   */
  static boolean isFullState(String typeUrl) {
    return CLUSTER.equals(typeUrl) || LISTENER.equals(typeUrl);
  }

  /** A short, fixed-cardinality name for metric tags. */
  static String shortName(String typeUrl) {
    return switch (typeUrl) {
      case CLUSTER -> "cds";
      case ENDPOINT -> "eds";
      case LISTENER -> "lds";
      case ROUTE -> "rds";
      default -> "other";
    };
  }

  /** Position in push order; unknown types sort after the core four, by URL. */
  static int addRank(String typeUrl) {
    int i = ADD_ORDER.indexOf(typeUrl);
    return i >= 0 ? i : ADD_ORDER.size();
  }

  /**
   * Whether additions of {@code type} wait while {@code earlier}, a type before it in {@link #ADD_ORDER}, awaits an ACK.
   * Endpoints do not wait for clusters: Envoy ACKs a changed cluster only once it has warmed, and it warms on its
   * endpoints; waiting for that ACK would stall until Envoy's initial fetch timeout.
   */
  static boolean waitsFor(String type, String earlier) {
    return !(ENDPOINT.equals(type) && CLUSTER.equals(earlier));
  }

  /** The ClusterLoadAssignment an EDS cluster reads (its EDS service_name, else its name); empty for other clusters. */
  static Optional<String> endpointsNameOf(VersionedResource cluster) {
    try {
      Cluster c = cluster.resource().unpack(Cluster.class);
      if (c.getType() != Cluster.DiscoveryType.EDS) {
        return Optional.empty();
      }
      String serviceName = c.getEdsClusterConfig().getServiceName();
      return Optional.of(serviceName.isEmpty() ? c.getName() : serviceName);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cluster " + cluster.name() + ": its own serialized form does not parse", e);
    }
  }

  static int removeRank(String typeUrl) {
    int i = REMOVE_ORDER.indexOf(typeUrl);
    return i >= 0 ? i : REMOVE_ORDER.size();
  }
}
