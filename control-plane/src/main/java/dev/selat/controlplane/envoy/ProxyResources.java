package dev.selat.controlplane.envoy;

import dev.selat.controlplane.routing.HostPort;
import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.xds.ResourceSnapshot;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Everything one kind of client in one site gets, from the routes of the services it asks for. */
public final class ProxyResources {
  private ProxyResources() {}

  /**
   * An Envoy sidecar's resources: a Cluster and an assignment per service, the outbound listener on
   * {@code outbound} and its RouteConfiguration.
   */
  public static ResourceSnapshot envoy(Collection<ServiceRoute> routes, HostPort outbound, int overprovisioningFactor) {
    ResourceSnapshot.Builder b = ResourceSnapshot.builder();
    List<ServiceRoute> sorted = sorted(routes);
    for (ServiceRoute route : sorted) {
      b.cluster(ClusterFactory.cluster(route));
      b.endpoints(EndpointFactory.assignment(route, ClientKind.ENVOY, overprovisioningFactor));
    }
    b.listener(ListenerFactory.outbound(outbound.host(), outbound.port()));
    b.route(RouteFactory.outbound(sorted, outbound.port()));
    return b.build();
  }

  /** A proxyless gRPC client's resources: per service an api_listener, a Cluster and a computed-spill assignment. */
  public static ResourceSnapshot grpc(Collection<ServiceRoute> routes) {
    ResourceSnapshot.Builder b = ResourceSnapshot.builder();
    for (ServiceRoute route : sorted(routes)) {
      b.listener(ListenerFactory.apiListener(route.service(), RouteFactory.grpc(route.service())));
      b.cluster(ClusterFactory.cluster(route));
      b.endpoints(EndpointFactory.assignment(route, ClientKind.GRPC, 100));
    }
    return b.build();
  }

  private static List<ServiceRoute> sorted(Collection<ServiceRoute> routes) {
    return routes.stream().sorted(Comparator.comparing(ServiceRoute::service)).toList();
  }
}
