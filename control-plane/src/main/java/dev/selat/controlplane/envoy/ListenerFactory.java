package dev.selat.controlplane.envoy;

import com.github.xds.core.v3.TypedExtensionConfig;
import com.github.xds.type.matcher.v3.Matcher;
import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.listener.v3.UdpListenerConfig;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.Route;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig;

/**
 * Listeners: a sidecar's outbound HTTP listener and a site gateway's (routes by RDS), and one api_listener per service
 * for proxyless gRPC.
 */
public final class ListenerFactory {
  /** The name of the sidecar's outbound listener and of its RouteConfiguration. */
  public static final String OUTBOUND = "selat_outbound";
  /** The name of a site gateway's listener and of its RouteConfiguration. */
  public static final String GATEWAY = "selat_gateway";
  /** A gateway's probe forwarding listeners. */
  public static final String PROBE_TCP = "selat_gateway_probe_tcp";
  public static final String PROBE_UDP = "selat_gateway_probe_udp";

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

  /**
   * A gateway's probe forwarding over TCP on {@code address:port}: every connection to {@code cluster}, the site's
   * probe agents (their TCP echo).
   */
  public static Listener probeTcp(String address, int port, String cluster) {
    TcpProxy tcp = TcpProxy.newBuilder().setStatPrefix("probe_tcp").setCluster(cluster).build();
    return Listener.newBuilder()
        .setName(PROBE_TCP)
        .setAddress(socket(address, port, SocketAddress.Protocol.TCP))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.tcp_proxy")
            .setTypedConfig(Any.pack(tcp))))
        .build();
  }

  /** The same over UDP, on the same port: each datagram to {@code cluster}, the answers back to their sender. */
  public static Listener probeUdp(String address, int port, String cluster) {
    UdpProxyConfig udp = UdpProxyConfig.newBuilder()
        .setStatPrefix("probe_udp")
        .setMatcher(Matcher.newBuilder().setOnNoMatch(Matcher.OnMatch.newBuilder().setAction(TypedExtensionConfig
            .newBuilder().setName("route").setTypedConfig(Any.pack(Route.newBuilder().setCluster(cluster).build())))))
        .build();
    return Listener.newBuilder()
        .setName(PROBE_UDP)
        .setAddress(socket(address, port, SocketAddress.Protocol.UDP))
        .setUdpListenerConfig(UdpListenerConfig.getDefaultInstance())
        .addListenerFilters(ListenerFilter.newBuilder()
            .setName("envoy.filters.udp_listener.udp_proxy")
            .setTypedConfig(Any.pack(udp)))
        .build();
  }

  private static Address socket(String address, int port, SocketAddress.Protocol protocol) {
    return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder()
        .setProtocol(protocol).setAddress(address).setPortValue(port)).build();
  }

  private static Listener http(String name, HttpConnectionManager.Builder manager, String address, int port) {
    HttpConnectionManager hcm = manager
        .setRds(Rds.newBuilder().setConfigSource(ClusterFactory.ads()).setRouteConfigName(name))
        .build();
    return Listener.newBuilder()
        .setName(name)
        .setAddress(socket(address, port, SocketAddress.Protocol.TCP))
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
