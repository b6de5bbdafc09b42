package dev.selat.xds;

import java.util.List;

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

  static int removeRank(String typeUrl) {
    int i = REMOVE_ORDER.indexOf(typeUrl);
    return i >= 0 ? i : REMOVE_ORDER.size();
  }
}
