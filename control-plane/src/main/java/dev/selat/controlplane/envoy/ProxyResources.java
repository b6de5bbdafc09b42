package dev.selat.controlplane.envoy;

import dev.selat.controlplane.routing.HostPort;
import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.xds.ResourceSnapshot;
import dev.selat.xds.VersionedResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything one kind of client in one site gets, from the routes of the services it asks for.
 *
 * <p>An instance keeps, per client kind, client site and service, the resources it last built (serialized and
 * versioned once, in {@link VersionedResource}) and builds them again only when the route's resources would differ
 * ({@link ServiceRoute#sameResources}): a change to one service costs that service's resources, plus the one
 * RouteConfiguration that lists every service's virtual host, and that only when the service's virtual host changed
 * ({@link ListenerRoutes}). Not thread-safe: the route engine uses it from its scheduler only.
 */
public final class ProxyResources {
  /** {@code gateway}: built for a site's gateway (its own instances only), not for its clients. */
  private record Key(ClientKind kind, boolean gateway, String clientSite, String service) {}

  private record Built(ServiceRoute route, List<VersionedResource> resources) {}

  /** A listener's RouteConfiguration: a site's gateway's, or a sidecar listener's of the clients of one site. */
  private record ListenerKey(boolean gateway, String clientSite, HostPort listen) {}

  private final int overprovisioningFactor;
  private final Map<Key, Built> built = new HashMap<>();
  private final Map<ListenerKey, ListenerRoutes> listenerRoutes = new HashMap<>();

  /** @param overprovisioningFactor what Envoy's assignments carry (percent; 140 is Envoy's default) */
  public ProxyResources(int overprovisioningFactor) {
    this.overprovisioningFactor = overprovisioningFactor;
  }

  /** An Envoy sidecar's resources, built from nothing: see {@link #forEnvoy}. */
  public static ResourceSnapshot envoy(Collection<ServiceRoute> routes, HostPort outbound, int overprovisioningFactor) {
    return new ProxyResources(overprovisioningFactor).forEnvoy(routes, outbound);
  }

  /** A proxyless gRPC client's resources, built from nothing: see {@link #forGrpc}. */
  public static ResourceSnapshot grpc(Collection<ServiceRoute> routes) {
    return new ProxyResources(100).forGrpc(routes);
  }

  /**
   * An Envoy sidecar's resources: a Cluster and an assignment per service, the outbound listener on
   * {@code outbound} and its RouteConfiguration.
   */
  public ResourceSnapshot forEnvoy(Collection<ServiceRoute> routes, HostPort outbound) {
    ResourceSnapshot.Builder b = ResourceSnapshot.builder();
    List<ServiceRoute> sorted = sorted(routes);
    for (ServiceRoute route : sorted) {
      service(ClientKind.ENVOY, false, route).forEach(b::add);
    }
    b.listener(ListenerFactory.outbound(outbound.host(), outbound.port()));
    b.add(routes(false, sorted, outbound, r -> RouteFactory.outboundHost(r, outbound.port()), ListenerFactory.OUTBOUND));
    return b.build();
  }

  /** A proxyless gRPC client's resources: per service an api_listener, a Cluster and a computed-spill assignment. */
  public ResourceSnapshot forGrpc(Collection<ServiceRoute> routes) {
    ResourceSnapshot.Builder b = ResourceSnapshot.builder();
    for (ServiceRoute route : sorted(routes)) {
      service(ClientKind.GRPC, false, route).forEach(b::add);
    }
    return b.build();
  }

  /**
   * A site gateway's resources, from its own site's routes ({@code routes} hold that site's instances only): a Cluster
   * and an assignment per service, the gateway listener on {@code listen} and its RouteConfiguration; and when
   * {@code probes} is given, the probe agents' Cluster and assignment and the TCP and UDP listeners forwarding to them.
   */
  public ResourceSnapshot forGateway(Collection<ServiceRoute> routes, HostPort listen, Optional<ProbeForwarding> probes) {
    ResourceSnapshot.Builder b = ResourceSnapshot.builder();
    List<ServiceRoute> sorted = sorted(routes);
    for (ServiceRoute route : sorted) {
      service(ClientKind.ENVOY, true, route).forEach(b::add);
    }
    b.listener(ListenerFactory.gateway(listen.host(), listen.port()));
    b.add(routes(true, sorted, listen, RouteFactory::gatewayHost, ListenerFactory.GATEWAY));
    probes.ifPresent(p -> {
      service(ClientKind.ENVOY, true, p.agents()).forEach(b::add);
      b.listener(ListenerFactory.probeTcp(listen.host(), p.port(), p.agents().service()));
      b.listener(ListenerFactory.probeUdp(listen.host(), p.port(), p.agents().service()));
    });
    return b.build();
  }

  /** A gateway's probe forwarding: to the site's probe agents ({@code agents}, their route), from {@code port}. */
  public record ProbeForwarding(ServiceRoute agents, int port) {}

  /** Drops what was built for a service that the clients (or the gateway) of {@code site} no longer get. */
  public void forget(String site, String service, boolean gateway) {
    for (ClientKind kind : ClientKind.values()) {
      built.remove(new Key(kind, gateway, site, service));
    }
  }

  /** The listener's RouteConfiguration named {@code name}, from the routes' virtual hosts ({@code hostOf}). */
  private VersionedResource routes(boolean gateway, List<ServiceRoute> sorted, HostPort listen,
      Function<ServiceRoute, VirtualHost> hostOf, String name) {
    if (sorted.isEmpty()) {
      return VersionedResource.of(name, RouteFactory.routes(name, List.of()));
    }
    return listenerRoutes.computeIfAbsent(new ListenerKey(gateway, sorted.getFirst().clientSite(), listen),
        k -> new ListenerRoutes(name, hostOf)).of(sorted);
  }

  private List<VersionedResource> service(ClientKind kind, boolean gateway, ServiceRoute route) {
    Key key = new Key(kind, gateway, route.clientSite(), route.service());
    Built last = built.get(key);
    if (last != null && last.route().sameResources(route)) {
      return last.resources();
    }
    Cluster cluster = ClusterFactory.cluster(route);
    ClusterLoadAssignment assignment = EndpointFactory.assignment(route, kind,
        kind == ClientKind.ENVOY ? overprovisioningFactor : 100);
    List<VersionedResource> resources = new ArrayList<>();
    if (kind == ClientKind.GRPC) {
      Listener listener = ListenerFactory.apiListener(route.service(), RouteFactory.grpc(route));
      resources.add(VersionedResource.of(listener.getName(), listener));
    }
    resources.add(VersionedResource.of(cluster.getName(), cluster));
    resources.add(VersionedResource.of(assignment.getClusterName(), assignment));
    Built now = new Built(route, List.copyOf(resources));
    built.put(key, now);
    return now.resources();
  }

  private static List<ServiceRoute> sorted(Collection<ServiceRoute> routes) {
    return routes.stream().sorted(Comparator.comparing(ServiceRoute::service)).toList();
  }
}
