package dev.selat.controlplane.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.selat.consul.SyncState;
import dev.selat.controlplane.routing.LocalityRoute;
import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.controlplane.routing.SitePair;
import dev.selat.testkit.FakeClock;
import dev.selat.xds.XdsStreamInfo;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OperatorViewTest {
  private static final List<String> SITES = List.of("jakarta", "alibaba-sg", "aws-sg");
  private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

  private final FakeClock clock = new FakeClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RouteEngine.Views empty = new RouteEngine.Views(Map.of(), dev.selat.controlplane.routing.LatencyMatrix.EMPTY,
      dev.selat.controlplane.routing.HeldLatency.EMPTY, Map.of(), Map.of(), Map.of(), 0);
  private final ControlPlaneMetrics metrics = new ControlPlaneMetrics(registry, SITES, () -> empty);
  private final EventLog events = new EventLog(clock);
  private final OperatorView view = new OperatorView(metrics, events, clock);

  /** A route whose sites are in this order (priority 0, 1, ...) with these shares in 1/1000. */
  private static ServiceRoute route(String client, Object... siteAndShare) {
    List<LocalityRoute> priorities = new java.util.ArrayList<>();
    Map<String, Integer> shares = new LinkedHashMap<>();
    for (int i = 0; i < siteAndShare.length; i += 2) {
      priorities.add(new LocalityRoute((String) siteAndShare[i], "r", i / 2, 1000, List.of()));
      shares.put((String) siteAndShare[i], (Integer) siteAndShare[i + 1]);
    }
    return new ServiceRoute("catalog", client, false, priorities, List.of(), shares, List.of(), List.of(),
        java.util.Optional.empty(), dev.selat.controlplane.routing.Tuning.DEFAULT);
  }

  @Test
  void kind_topSiteChanged_isFailover_orderChanged_isReorder_elseShares_noneBefore_isNew() {
    ServiceRoute local = route("jakarta", "jakarta", 1000, "alibaba-sg", 0, "aws-sg", 0);

    assertThat(OperatorView.kind(Optional.empty(), local)).isEqualTo(EventLog.Kind.NEW_ROUTE);
    assertThat(OperatorView.kind(Optional.of(local), route("jakarta", "jakarta", 0, "alibaba-sg", 1000, "aws-sg", 0)))
        .isEqualTo(EventLog.Kind.FAILOVER);
    assertThat(OperatorView.kind(Optional.of(local), route("jakarta", "jakarta", 1000, "aws-sg", 0, "alibaba-sg", 0)))
        .isEqualTo(EventLog.Kind.REORDER);
    assertThat(OperatorView.kind(Optional.of(local), route("jakarta", "jakarta", 700, "alibaba-sg", 300, "aws-sg", 0)))
        .isEqualTo(EventLog.Kind.SHARES);
  }

  @Test
  void routeChanged_intoNoEndpointsByPolicy_countedOnce_untilItHasOneAgain() {
    ServiceRoute open = route("jakarta", "jakarta", 1000);
    ServiceRoute blocked = new ServiceRoute("catalog", "jakarta", false, open.priorities(), List.of(), Map.of(), List.of(),
        List.of(), Optional.of("jakarta 0/2 healthy; aws-sg left out (pinned to jakarta by p)"),
        dev.selat.controlplane.routing.Tuning.DEFAULT);
    ServiceRoute stillBlocked = new ServiceRoute("catalog", "jakarta", false, open.priorities(), List.of(), Map.of(),
        List.of(), List.of(), Optional.of("jakarta 0/1 healthy; aws-sg left out (pinned to jakarta by p)"),
        dev.selat.controlplane.routing.Tuning.DEFAULT);

    view.routeChanged("jakarta", false, Optional.of(open), blocked, RouteListener.Cause.CATALOG);
    view.routeChanged("jakarta", false, Optional.of(blocked), stillBlocked, RouteListener.Cause.CATALOG);
    assertThat(registry.counter(ControlPlaneMetrics.POLICY_BLOCKED).count()).isEqualTo(1);
    view.routeChanged("jakarta", false, Optional.of(stillBlocked), open, RouteListener.Cause.CATALOG);
    view.routeChanged("jakarta", false, Optional.of(open), blocked, RouteListener.Cause.POLICY);
    view.routeChanged("aws-sg", false, Optional.empty(), blocked, RouteListener.Cause.STARTUP);
    assertThat(registry.counter(ControlPlaneMetrics.POLICY_BLOCKED).count()).isEqualTo(3);
  }

  @Test
  void routeChanged_failover_listedAndCountedByCause_newRoute_countedOnly() {
    ServiceRoute local = route("jakarta", "jakarta", 1000, "alibaba-sg", 0);
    view.routeChanged("jakarta", false, Optional.empty(), local, RouteListener.Cause.STARTUP);
    view.routeChanged("jakarta", false, Optional.of(local), route("jakarta", "jakarta", 0, "alibaba-sg", 1000),
        RouteListener.Cause.CATALOG);

    assertThat(events.recent()).singleElement().satisfies(e -> {
      assertThat(e.kind()).isEqualTo(EventLog.Kind.FAILOVER);
      assertThat(e.message()).isEqualTo(
          "catalog for clients in jakarta (catalog): {alibaba-sg 0.0%, jakarta 100.0%} -> {alibaba-sg 100.0%, jakarta 0.0%}");
      assertThat(e.site()).contains("jakarta");
      assertThat(e.service()).contains("catalog");
    });
    assertThat(count(ControlPlaneMetrics.ROUTE_CHANGES, "cause", "catalog", "kind", "failover")).isEqualTo(1);
    assertThat(count(ControlPlaneMetrics.ROUTE_CHANGES, "cause", "startup", "kind", "new-route")).isEqualTo(1);
    assertThat(count(ControlPlaneMetrics.EVENTS, "kind", "failover")).isEqualTo(1);
  }

  @Test
  void streams_countedBySiteAndRole_unknownSiteAsOther_nackListed() {
    XdsStreamInfo sidecar = stream(1, "envoy-1", "jakarta", "sidecar");
    XdsStreamInfo gateway = stream(2, "gw-1", "aws-sg", "gateway");
    XdsStreamInfo stranger = stream(3, "x-1", "mars", "grpc");
    view.onStreamOpen(sidecar);
    view.onStreamOpen(gateway);
    view.onStreamOpen(stranger);
    view.onStreamClose(gateway);

    assertThat(gauge("jakarta", "sidecar")).isEqualTo(1);
    assertThat(gauge("aws-sg", "gateway")).isZero();
    assertThat(gauge("other", "grpc")).isEqualTo(1);
    assertThat(registry.find(ControlPlaneMetrics.PROXIES).gauges()).as("sites x roles, no node id")
        .hasSize(12).allSatisfy(g -> assertThat(g.getId().getTags()).hasSize(2));

    view.onNack(sidecar, CDS, "1", "cluster catalog: bad");

    assertThat(events.recent()).singleElement().satisfies(e -> {
      assertThat(e.kind()).isEqualTo(EventLog.Kind.NACK);
      assertThat(e.message()).isEqualTo("NACK from envoy-1 (jakarta) for Cluster: cluster catalog: bad");
    });
  }

  @Test
  void siteState_firstSyncIsNoNews_staleIs() {
    view.siteState("jakarta", Optional.empty(), SyncState.SYNCED);
    view.siteState("jakarta", Optional.of(SyncState.SYNCED), SyncState.STALE);
    view.hysteresisHeld(new SitePair("jakarta", "aws-sg"), Duration.ofMillis(30), Duration.ofMillis(15));

    assertThat(events.recent()).extracting(EventLog.Event::message).containsExactly("site jakarta: synced -> stale",
        "jakarta -> aws-sg measured 30.0 ms, routing holds 15.0 ms for the dwell time");
  }

  @Test
  void eventLog_keepsTheLatest200_inOrder() {
    for (int i = 0; i < EventLog.CAPACITY + 5; i++) {
      events.add(EventLog.Kind.SHARES, null, null, "e" + i);
    }

    assertThat(events.recent()).hasSize(EventLog.CAPACITY);
    assertThat(events.recent().getFirst().message()).isEqualTo("e5");
    assertThat(events.recent().getLast().seq()).isEqualTo(EventLog.CAPACITY + 5);
  }

  private double count(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  private double gauge(String site, String role) {
    return registry.get(ControlPlaneMetrics.PROXIES).tags("site", site, "role", role).gauge().value();
  }

  private static XdsStreamInfo stream(long id, String nodeId, String site, String role) {
    Node node = Node.newBuilder().setId(nodeId).setMetadata(Struct.newBuilder()
        .putFields("selat.site", Value.newBuilder().setStringValue(site).build())
        .putFields("selat.role", Value.newBuilder().setStringValue(role).build())).build();
    return new XdsStreamInfo(id, XdsStreamInfo.Protocol.SOTW, "ads", node, "g");
  }
}
