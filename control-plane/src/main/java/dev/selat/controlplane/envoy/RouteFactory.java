package dev.selat.controlplane.envoy;

import dev.selat.controlplane.routing.LocalityRoute;
import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.controlplane.routing.Tuning;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import com.google.protobuf.UInt32Value;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/** RouteConfigurations: the sidecar's outbound routes (a virtual host per service) and a gRPC client's per-service route. */
public final class RouteFactory {
  private RouteFactory() {}

  /**
   * The outbound routes: per service a virtual host answering {@code X}, {@code X.service.consul}, each
   * also with the listener's port and the instances' ports, routed to cluster {@code X}.
   */
  public static RouteConfiguration outbound(Collection<ServiceRoute> routes, int listenerPort) {
    return routes(ListenerFactory.OUTBOUND, sorted(routes).stream().map(r -> outboundHost(r, listenerPort)).toList());
  }

  /** One service's virtual host in {@link #outbound}. */
  static VirtualHost outboundHost(ServiceRoute route, int listenerPort) {
    SortedSet<Integer> ports = new TreeSet<>();
    ports.add(listenerPort);
    for (LocalityRoute l : route.priorities()) {
      l.endpoints().forEach(e -> ports.add(e.address().port()));
    }
    List<String> domains = new ArrayList<>();
    for (String name : names(route)) {
      domains.add(name);
      ports.forEach(p -> domains.add(name + ":" + p));
    }
    return virtualHost(route, domains);
  }

  /**
   * A site gateway's routes: per service a virtual host answering {@code X} and {@code X.service.consul} (the
   * gateway's listener strips the port), routed to cluster {@code X}, which holds the site's own instances only.
   */
  public static RouteConfiguration gateway(Collection<ServiceRoute> routes) {
    return routes(ListenerFactory.GATEWAY, sorted(routes).stream().map(RouteFactory::gatewayHost).toList());
  }

  /** One service's virtual host in {@link #gateway}. */
  static VirtualHost gatewayHost(ServiceRoute route) {
    return virtualHost(route, names(route));
  }

  /** The RouteConfiguration {@code name} holding {@code hosts}, in their order. */
  static RouteConfiguration routes(String name, List<VirtualHost> hosts) {
    return RouteConfiguration.newBuilder().setName(name).addAllVirtualHosts(hosts).build();
  }

  private static List<String> names(ServiceRoute route) {
    return List.of(route.service(), route.service() + ".service.consul");
  }

  private static VirtualHost virtualHost(ServiceRoute route, List<String> domains) {
    return VirtualHost.newBuilder().setName(route.service()).addAllDomains(domains)
        .addRoutes(toCluster(route.service(), "/").setRoute(sidecarAction(route)))
        .build();
  }

  /** To the service's cluster with Selat's retries (connect failures and resets, twice) or the policy's, and its timeout. */
  private static RouteAction.Builder sidecarAction(ServiceRoute route) {
    Tuning.Retries retries = route.tuning().retries();
    RetryPolicy.Builder retry = RetryPolicy.newBuilder()
        .setRetryOn(retries.retryOn().orElse("connect-failure,refused-stream,reset"))
        .setNumRetries(UInt32Value.of(retries.numRetries().orElse(2)));
    retries.perTryTimeout().ifPresent(t -> retry.setPerTryTimeout(ClusterFactory.duration(t)));
    RouteAction.Builder action = action(route.service()).setRetryPolicy(retry);
    route.tuning().timeouts().request().ifPresent(t -> action.setTimeout(ClusterFactory.duration(t)));
    return action;
  }

  private static List<ServiceRoute> sorted(Collection<ServiceRoute> routes) {
    return routes.stream().sorted(Comparator.comparing(ServiceRoute::service)).toList();
  }

  /**
   * A gRPC client's route for {@code xds:///service}: every call to the service's cluster; a policy's request timeout
   * as the stream's maximum duration (gRFC A31). The retries are Envoy's and stay with the sidecars.
   */
  public static RouteConfiguration grpc(ServiceRoute route) {
    String service = route.service();
    RouteAction.Builder action = action(service);
    route.tuning().timeouts().request().ifPresent(t -> action.setMaxStreamDuration(
        RouteAction.MaxStreamDuration.newBuilder().setMaxStreamDuration(ClusterFactory.duration(t))));
    return RouteConfiguration.newBuilder()
        .setName(service)
        .addVirtualHosts(VirtualHost.newBuilder().setName(service).addDomains(service)
            .addRoutes(toCluster(service, "").setRoute(action)))
        .build();
  }

  private static Route.Builder toCluster(String service, String prefix) {
    return Route.newBuilder().setName(service).setMatch(RouteMatch.newBuilder().setPrefix(prefix));
  }

  private static RouteAction.Builder action(String service) {
    return RouteAction.newBuilder().setCluster(service);
  }
}
