package dev.selat.controlplane.envoy;

import static dev.selat.controlplane.envoy.ProxyResourcesTest.CDS;
import static dev.selat.controlplane.envoy.ProxyResourcesTest.CLA;
import static dev.selat.controlplane.envoy.ProxyResourcesTest.LDS;
import static dev.selat.controlplane.envoy.ProxyResourcesTest.RDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.selat.controlplane.config.RoutingSettings;
import dev.selat.controlplane.routing.Brain;
import dev.selat.controlplane.routing.CheckStatus;
import dev.selat.controlplane.routing.HeldLatency;
import dev.selat.controlplane.routing.HostPort;
import dev.selat.controlplane.routing.Instance;
import dev.selat.controlplane.routing.Policy;
import dev.selat.controlplane.routing.PolicyInput;
import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.controlplane.routing.SiteInput;
import dev.selat.controlplane.routing.Tuning;
import dev.selat.xds.ResourceSnapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** What policies change in the resources: tuning in Clusters and routes, and a withheld service's empty assignment. */
class PolicyResourcesTest {
  static final HostPort OUTBOUND = new HostPort("127.0.0.1", 15001);

  static ServiceRoute route(Policy policy, CheckStatus jakarta) {
    Map<String, SiteInput> sites = Map.of(
        "jakarta", SiteInput.fresh("jakarta", "id-jkt", Map.of("payments", List.of(
            new Instance("j0", new HostPort("127.0.0.1", 9000), Optional.empty(), jakarta, 1, 1, Map.of())))),
        "alibaba-sg", SiteInput.fresh("alibaba-sg", "ap-southeast-1", Map.of("payments", List.of(
            new Instance("a0", new HostPort("127.0.0.2", 9000), Optional.empty(), CheckStatus.PASSING, 1, 1, Map.of())))));
    return Brain.route("payments", "jakarta", sites, HeldLatency.EMPTY, RoutingSettings.DEFAULT,
        new PolicyInput(List.of(policy), Map.of(), Instant.EPOCH));
  }

  static final Tuning TUNING = new Tuning(
      new Tuning.Outlier(OptionalInt.of(3), Optional.of(Duration.ofSeconds(2)), Optional.of(Duration.ofMillis(1500)),
          OptionalInt.of(20)),
      new Tuning.Retries(Optional.of("5xx,reset"), OptionalInt.of(4), Optional.of(Duration.ofMillis(250))),
      new Tuning.Timeouts(Optional.of(Duration.ofMillis(300)), Optional.of(Duration.ofSeconds(3))));

  @Test
  void tuning_replacesTheDefaultsOfClusterAndRoute() throws Exception {
    ResourceSnapshot s = ProxyResources.envoy(List.of(route(Policy.of("t", "payments").withTuning(TUNING),
        CheckStatus.PASSING)), OUTBOUND, 140);

    Cluster c = s.resources(CDS).get("payments").resource().unpack(Cluster.class);
    assertThat(c.getConnectTimeout().getNanos()).isEqualTo(300_000_000);
    assertThat(c.getOutlierDetection().getConsecutive5Xx().getValue()).isEqualTo(3);
    assertThat(c.getOutlierDetection().getInterval().getSeconds()).isEqualTo(2);
    assertThat(c.getOutlierDetection().getBaseEjectionTime().getNanos()).isEqualTo(500_000_000);
    assertThat(c.getOutlierDetection().getMaxEjectionPercent().getValue()).isEqualTo(20);
    RouteAction action = s.resources(RDS).get(ListenerFactory.OUTBOUND).resource().unpack(RouteConfiguration.class)
        .getVirtualHosts(0).getRoutes(0).getRoute();
    assertThat(action.getRetryPolicy().getRetryOn()).isEqualTo("5xx,reset");
    assertThat(action.getRetryPolicy().getNumRetries().getValue()).isEqualTo(4);
    assertThat(action.getRetryPolicy().getPerTryTimeout().getNanos()).isEqualTo(250_000_000);
    assertThat(action.getTimeout().getSeconds()).isEqualTo(3);
  }

  @Test
  void noTuning_keepsSelatsDefaults() throws Exception {
    ResourceSnapshot s = ProxyResources.envoy(List.of(route(Policy.of("t", "payments"), CheckStatus.PASSING)), OUTBOUND, 140);

    Cluster c = s.resources(CDS).get("payments").resource().unpack(Cluster.class);
    assertThat(c.getConnectTimeout().getSeconds()).isEqualTo(1);
    assertThat(c.getOutlierDetection().getConsecutive5Xx().getValue()).isEqualTo(5);
    RouteAction action = s.resources(RDS).get(ListenerFactory.OUTBOUND).resource().unpack(RouteConfiguration.class)
        .getVirtualHosts(0).getRoutes(0).getRoute();
    assertThat(action.getRetryPolicy().getRetryOn()).isEqualTo("connect-failure,refused-stream,reset");
    assertThat(action.hasTimeout()).isFalse();
  }

  @Test
  void grpcClients_getTheRequestTimeoutAsTheStreamsMaximumDuration() throws Exception {
    ResourceSnapshot s = ProxyResources.grpc(List.of(route(Policy.of("t", "payments").withTuning(TUNING), CheckStatus.PASSING)));

    HttpConnectionManager hcm = s.resources(LDS).get("payments").resource().unpack(Listener.class).getApiListener()
        .getApiListener().unpack(HttpConnectionManager.class);
    assertThat(hcm.getRouteConfig().getVirtualHosts(0).getRoutes(0).getRoute().getMaxStreamDuration()
        .getMaxStreamDuration().getSeconds()).isEqualTo(3);
  }

  @Test
  void pinnedToASiteWithoutInstances_keepsTheClusterWithAnEmptyAssignment() throws Exception {
    ServiceRoute r = route(Policy.of("p", "payments").pinned("aws-sg"), CheckStatus.PASSING);
    ResourceSnapshot s = ProxyResources.envoy(List.of(r), OUTBOUND, 140);

    assertThat(r.routed()).isTrue();
    assertThat(s.resources(CDS)).containsKey("payments");
    assertThat(s.resources(CLA).get("payments").resource().unpack(ClusterLoadAssignment.class).getEndpointsCount()).isZero();
  }
}
