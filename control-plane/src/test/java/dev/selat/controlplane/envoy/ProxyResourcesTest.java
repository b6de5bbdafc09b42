package dev.selat.controlplane.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.selat.controlplane.config.RoutingSettings;
import dev.selat.controlplane.routing.Brain;
import dev.selat.controlplane.routing.CheckStatus;
import dev.selat.controlplane.routing.HeldLatency;
import dev.selat.controlplane.routing.HostPort;
import dev.selat.controlplane.routing.Instance;
import dev.selat.controlplane.routing.LatencyCell;
import dev.selat.controlplane.routing.LatencyMatrix;
import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.controlplane.routing.SiteInput;
import dev.selat.controlplane.routing.SitePair;
import dev.selat.xds.ResourceSnapshot;
import dev.selat.xds.VersionedResource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProxyResourcesTest {
  static final String CLA = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
  static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
  static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

  static ServiceRoute catalog(String... jakartaStates) {
    return route("catalog", jakartaStates);
  }

  static ServiceRoute route(String service, String... jakartaStates) {
    List<Instance> jakarta = new java.util.ArrayList<>();
    for (int i = 0; i < jakartaStates.length; i++) {
      jakarta.add(new Instance("j" + i, new HostPort("127.0.0.1", 9000 + i), Optional.empty(),
          CheckStatus.valueOf(jakartaStates[i]), 1, 1, Map.of()));
    }
    Map<String, SiteInput> sites = Map.of(
        "jakarta", SiteInput.fresh("jakarta", "id-jkt", Map.of(service, jakarta)),
        "alibaba-sg", SiteInput.fresh("alibaba-sg", "ap-southeast-1", Map.of(service,
            List.of(new Instance("a0", new HostPort("10.2.0.1", 8080), Optional.of(new HostPort("127.0.0.2", 9100)),
                CheckStatus.PASSING, 1, 1, Map.of())))));
    LatencyMatrix m = new LatencyMatrix(Map.of(new SitePair("jakarta", "alibaba-sg"), LatencyCell.probe(Duration.ofMillis(12))));
    HeldLatency held = HeldLatency.EMPTY.step(m, Instant.EPOCH, RoutingSettings.DEFAULT);
    return Brain.route(service, "jakarta", sites, held, RoutingSettings.DEFAULT);
  }

  @Test
  void envoyGetsPrioritiesWithHealthAndTheOverprovisioningFactor() throws Exception {
    ResourceSnapshot s = ProxyResources.envoy(List.of(catalog("PASSING", "CRITICAL")), new HostPort("127.0.0.1", 15001), 140);

    ClusterLoadAssignment cla = s.resources(CLA).get("catalog").resource().unpack(ClusterLoadAssignment.class);
    assertThat(cla.getPolicy().getOverprovisioningFactor().getValue()).isEqualTo(140);
    assertThat(cla.getEndpointsList()).extracting(e -> e.getLocality().getZone() + "@" + e.getPriority())
        .containsExactly("jakarta@0", "alibaba-sg@1");
    assertThat(cla.getEndpoints(0).getLbEndpointsList()).extracting(e -> e.getHealthStatus().name())
        .containsExactly("HEALTHY", "UNHEALTHY");
    assertThat(cla.getEndpoints(1).getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress().getAddress())
        .as("a remote site's WAN address").isEqualTo("127.0.0.2");
    assertThat(s.resources(LDS)).containsOnlyKeys(ListenerFactory.OUTBOUND);
    RouteConfiguration rc = s.resources(RDS).get(ListenerFactory.OUTBOUND).resource().unpack(RouteConfiguration.class);
    assertThat(rc.getVirtualHosts(0).getDomainsList()).contains("catalog", "catalog:15001", "catalog.service.consul",
        "catalog:9000", "catalog.service.consul:9100");
  }

  @Test
  void grpcGetsOnePriorityWithTheComputedSplit() throws Exception {
    ResourceSnapshot s = ProxyResources.grpc(List.of(catalog("PASSING", "CRITICAL")));

    ClusterLoadAssignment cla = s.resources(CLA).get("catalog").resource().unpack(ClusterLoadAssignment.class);
    assertThat(cla.getEndpointsList()).extracting(e -> e.getLocality().getZone() + "@" + e.getPriority() + "=" + e.getLoadBalancingWeight().getValue())
        .containsExactly("jakarta@0=700", "alibaba-sg@0=300");
    assertThat(cla.getEndpoints(0).getLbEndpointsCount()).as("only the available endpoint").isEqualTo(1);
    assertThat(s.resources(LDS)).containsOnlyKeys("catalog");
    assertThat(s.resources(CDS)).containsOnlyKeys("catalog");
  }

  /** Two builds from equal inputs: byte-identical resources, equal versions. */
  @Test
  void deterministicBytesAndVersions() {
    ResourceSnapshot a = ProxyResources.envoy(List.of(catalog("PASSING", "WARNING", "CRITICAL")), new HostPort("127.0.0.1", 15001), 140);
    ResourceSnapshot b = ProxyResources.envoy(List.of(catalog("PASSING", "WARNING", "CRITICAL")), new HostPort("127.0.0.1", 15001), 140);

    assertThat(b.version()).isEqualTo(a.version());
    for (String type : a.typeUrls()) {
      a.resources(type).forEach((name, r) -> {
        VersionedResource other = b.resources(type).get(name);
        assertThat(other.resource().toByteArray()).isEqualTo(r.resource().toByteArray());
        assertThat(other.version()).isEqualTo(r.version());
      });
    }
    ResourceSnapshot c = ProxyResources.envoy(List.of(catalog("PASSING", "CRITICAL", "CRITICAL")), new HostPort("127.0.0.1", 15001), 140);
    assertThat(c.version()).isNotEqualTo(a.version());
  }

  /**
   * One instance of {@link ProxyResources} across publishes: a change to one service of 100 builds that service's
   * resources again and reuses every other's (the same objects, serialized and versioned once), for both kinds of
   * client; a route whose resources are unchanged builds nothing.
   */
  @Test
  void oneChangedService_rebuildsThatServiceOnly() {
    ProxyResources resources = new ProxyResources(140);
    List<ServiceRoute> routes = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      routes.add(route(String.format("svc-%03d", i), "PASSING", "PASSING"));
    }
    HostPort outbound = new HostPort("127.0.0.1", 15001);
    ResourceSnapshot envoy1 = resources.forEnvoy(routes, outbound);
    ResourceSnapshot grpc1 = resources.forGrpc(routes);

    routes.set(42, route("svc-042", "PASSING", "CRITICAL"));
    ResourceSnapshot envoy2 = resources.forEnvoy(routes, outbound);
    ResourceSnapshot grpc2 = resources.forGrpc(routes);

    for (ResourceSnapshot[] pair : new ResourceSnapshot[][] {{envoy1, envoy2}, {grpc1, grpc2}}) {
      for (String type : List.of(CDS, CLA)) {
        Map<String, VersionedResource> before = pair[0].resources(type);
        Map<String, VersionedResource> after = pair[1].resources(type);
        assertThat(after).hasSize(100);
        after.forEach((name, r) -> {
          if (name.equals("svc-042") && type.equals(CLA)) {
            assertThat(r.version()).as("svc-042's new assignment").isNotEqualTo(before.get(name).version());
          } else if (!name.equals("svc-042")) {
            assertThat(r).as("%s %s, unchanged", TYPE_NAMES.get(type), name).isSameAs(before.get(name));
          }
        });
      }
    }
    assertThat(grpc2.resources(LDS).get("svc-041")).isSameAs(grpc1.resources(LDS).get("svc-041"));

    ResourceSnapshot envoy3 = resources.forEnvoy(routes, outbound);
    assertThat(envoy3.resources(CLA).get("svc-042")).as("an equal route again: nothing built")
        .isSameAs(envoy2.resources(CLA).get("svc-042"));
    assertThat(envoy3.version()).isEqualTo(envoy2.version());
  }

  /**
   * The RouteConfiguration that lists every service: a health change leaves every virtual host as it was, so the same
   * resource is reused (not built and serialized again); a new port, a new service or a removed one builds it again,
   * and whatever is returned has the bytes a build from nothing has.
   */
  @Test
  void routeConfiguration_reusedUntilAVirtualHostChanges_equalToABuildFromNothing() {
    ProxyResources resources = new ProxyResources(140);
    HostPort outbound = new HostPort("127.0.0.1", 15001);
    List<ServiceRoute> routes = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      routes.add(route(String.format("svc-%03d", i), "PASSING", "PASSING"));
    }
    VersionedResource first = resources.forEnvoy(routes, outbound).resources(RDS).get(ListenerFactory.OUTBOUND);

    routes.set(4, route("svc-004", "PASSING", "CRITICAL"));
    VersionedResource afterHealth = resources.forEnvoy(routes, outbound).resources(RDS).get(ListenerFactory.OUTBOUND);
    assertThat(afterHealth).as("a health change: same virtual hosts").isSameAs(first);
    assertThat(afterHealth).isEqualTo(fromNothing(routes, outbound));

    routes.set(4, route("svc-004", "PASSING", "PASSING", "PASSING"));
    VersionedResource afterPort = resources.forEnvoy(routes, outbound).resources(RDS).get(ListenerFactory.OUTBOUND);
    assertThat(afterPort.version()).as("a new instance port is a new domain").isNotEqualTo(first.version());
    assertThat(afterPort).isEqualTo(fromNothing(routes, outbound));

    routes.add(route("svc-100", "PASSING"));
    VersionedResource added = resources.forEnvoy(routes, outbound).resources(RDS).get(ListenerFactory.OUTBOUND);
    assertThat(added).isEqualTo(fromNothing(routes, outbound)).isNotEqualTo(afterPort);

    routes.remove(0);
    VersionedResource removed = resources.forEnvoy(routes, outbound).resources(RDS).get(ListenerFactory.OUTBOUND);
    assertThat(removed).isEqualTo(fromNothing(routes, outbound)).isNotEqualTo(added);

    HostPort other = new HostPort("127.0.0.1", 15002);
    assertThat(resources.forEnvoy(routes, other).resources(RDS).get(ListenerFactory.OUTBOUND))
        .as("another listener port: its own domains").isEqualTo(fromNothing(routes, other));
  }

  private static VersionedResource fromNothing(List<ServiceRoute> routes, HostPort outbound) {
    return ProxyResources.envoy(routes, outbound, 140).resources(RDS).get(ListenerFactory.OUTBOUND);
  }

  /**
   * A gateway: its listener routes by Host with the port stripped, a virtual host per service answering its names
   * only; with probe forwarding, TCP and UDP listeners on the probe port to the probe agents' cluster.
   */
  @Test
  void gatewayRoutesByHostAndForwardsProbes() throws Exception {
    ResourceSnapshot s = new ProxyResources(140).forGateway(List.of(catalog("PASSING")), new HostPort("0.0.0.0", 8443),
        Optional.of(new ProxyResources.ProbeForwarding(route("selat-probe", "PASSING"), 8444)));

    assertThat(s.resources(LDS)).containsOnlyKeys(ListenerFactory.GATEWAY, ListenerFactory.PROBE_TCP,
        ListenerFactory.PROBE_UDP);
    assertThat(s.resources(CDS)).containsOnlyKeys("catalog", "selat-probe");
    Listener gateway = s.resources(LDS).get(ListenerFactory.GATEWAY).resource().unpack(Listener.class);
    HttpConnectionManager hcm = gateway.getFilterChains(0).getFilters(0).getTypedConfig()
        .unpack(HttpConnectionManager.class);
    assertThat(hcm.getStripAnyHostPort()).isTrue();
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo(ListenerFactory.GATEWAY);
    RouteConfiguration rc = s.resources(RDS).get(ListenerFactory.GATEWAY).resource().unpack(RouteConfiguration.class);
    assertThat(rc.getVirtualHostsList()).singleElement().satisfies(v ->
        assertThat(v.getDomainsList()).containsExactly("catalog", "catalog.service.consul"));
    Listener udp = s.resources(LDS).get(ListenerFactory.PROBE_UDP).resource().unpack(Listener.class);
    assertThat(udp.getAddress().getSocketAddress().getProtocol()).isEqualTo(SocketAddress.Protocol.UDP);
    assertThat(udp.getAddress().getSocketAddress().getPortValue()).isEqualTo(8444);
    assertThat(udp.getListenerFilters(0).getTypedConfig().unpack(UdpProxyConfig.class).getMatcher().getOnNoMatch()
        .getAction().getTypedConfig().unpack(io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.Route.class)
        .getCluster()).isEqualTo("selat-probe");
  }

  private static final Map<String, String> TYPE_NAMES = Map.of(CDS, "Cluster", CLA, "ClusterLoadAssignment");
}
