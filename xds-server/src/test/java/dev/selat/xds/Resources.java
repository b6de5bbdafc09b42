package dev.selat.xds;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;

/** Small, valid Envoy resources for tests: EDS clusters over ADS, endpoints by locality, API listeners. */
final class Resources {
  private Resources() {}

  static ConfigSource ads() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();
  }

  static Cluster edsCluster(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads()))
        .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1))
        .build();
  }

  /** A locality with endpoints on 127.0.0.1. */
  static LocalityLbEndpoints locality(String zone, int weight, int priority, int... ports) {
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder()
        .setLocality(Locality.newBuilder().setRegion("test").setZone(zone))
        .setLoadBalancingWeight(UInt32Value.of(weight))
        .setPriority(priority);
    for (int port : ports) {
      locality.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder()
          .setAddress(Address.newBuilder().setSocketAddress(
              SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(port)))));
    }
    return locality.build();
  }

  static ClusterLoadAssignment endpoints(String cluster, LocalityLbEndpoints... localities) {
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(cluster);
    for (LocalityLbEndpoints l : localities) {
      cla.addEndpoints(l);
    }
    return cla.build();
  }

  static ClusterLoadAssignment endpoints(String cluster, int... ports) {
    return endpoints(cluster, locality("zone-a", 1, 0, ports));
  }

  /** An API listener (what proxyless gRPC resolves) whose HTTP connection manager reads {@code routeName} over RDS. */
  static Listener apiListener(String name, String routeName) {
    return Listener.newBuilder()
        .setName(name)
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(routingByRds(name, routeName))))
        .build();
  }

  /** A real listener on 127.0.0.1:{@code port} whose HTTP connection manager reads {@code routeName} over RDS. */
  static Listener httpListener(String name, int port, String routeName) {
    return Listener.newBuilder()
        .setName(name)
        .setAddress(Address.newBuilder().setSocketAddress(
            SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(port)))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager")
            .setTypedConfig(Any.pack(routingByRds(name, routeName)))))
        .build();
  }

  /** An HTTP connection manager with the router filter, reading {@code routeName} over RDS. */
  private static HttpConnectionManager routingByRds(String statPrefix, String routeName) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix)
        .setRds(Rds.newBuilder().setConfigSource(ads()).setRouteConfigName(routeName))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
            .setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
  }

  /** A snapshot of EDS clusters named {@code names}. */
  static ResourceSnapshot clusters(String... names) {
    ResourceSnapshot.Builder b = ResourceSnapshot.builder();
    for (String name : names) {
      b.cluster(edsCluster(name));
    }
    return b.build();
  }

  static RouteConfiguration route(String name, String domain, String cluster) {
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addVirtualHosts(VirtualHost.newBuilder()
            .setName(name + "-vh")
            .addDomains(domain)
            .addRoutes(Route.newBuilder()
                .setMatch(RouteMatch.newBuilder().setPrefix(""))
                .setRoute(RouteAction.newBuilder().setCluster(cluster))))
        .build();
  }
}
