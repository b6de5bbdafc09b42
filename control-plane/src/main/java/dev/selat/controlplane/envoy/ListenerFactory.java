package dev.selat.controlplane.envoy;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;

/**
 * Listeners: a sidecar's outbound HTTP listener and a site gateway's (routes by RDS), and one api_listener per service
 * for proxyless gRPC.
 */
public final class ListenerFactory {
  /** The name of the sidecar's outbound listener and of its RouteConfiguration. */
  public static final String OUTBOUND = "selat_outbound";
  /** The name of a site gateway's listener and of its RouteConfiguration. */
  public static final String GATEWAY = "selat_gateway";

  private ListenerFactory() {}

  /** The sidecar's outbound listener on {@code address:port}; its routes come by RDS as {@link #OUTBOUND}. */
  public static Listener outbound(String address, int port) {
    return http(OUTBOUND, manager("outbound"), address, port);
  }

  /**
   * A site gateway's listener on {@code address:port}; its routes come by RDS as {@link #GATEWAY}, matched on the
   * Host / {@code :authority} without its port (the clients' sidecars call their own listener's port).
   */
  public static Listener gateway(String address, int port) {
    return http(GATEWAY, manager("gateway").setStripAnyHostPort(true), address, port);
  }

  private static Listener http(String name, HttpConnectionManager.Builder manager, String address, int port) {
    HttpConnectionManager hcm = manager
        .setRds(Rds.newBuilder().setConfigSource(ClusterFactory.ads()).setRouteConfigName(name))
        .build();
    return Listener.newBuilder()
        .setName(name)
        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(address).setPortValue(port)))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager")
            .setTypedConfig(Any.pack(hcm))))
        .build();
  }

  /** The Listener a gRPC client resolves for {@code xds:///service}: its route inline, to the service's cluster. */
  public static Listener apiListener(String service, RouteConfiguration route) {
    HttpConnectionManager hcm = manager(service).setRouteConfig(route).build();
    return Listener.newBuilder()
        .setName(service)
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
        .build();
  }

  private static HttpConnectionManager.Builder manager(String statPrefix) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix)
        .addHttpFilters(HttpFilter.newBuilder()
            .setName("envoy.filters.http.router")
            .setTypedConfig(Any.pack(Router.getDefaultInstance())));
  }
}
