package dev.selat.xds;

import static dev.selat.xds.InProcessXds.GROUP;
import static dev.selat.xds.InProcessXds.NODE;
import static dev.selat.xds.InProcessXds.ack;
import static dev.selat.xds.InProcessXds.deltaAck;
import static dev.selat.xds.InProcessXds.nack;
import static dev.selat.xds.InProcessXds.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.selat.xds.XdsStreamInfo.Protocol;
import dev.selat.xds.XdsStreamStatus.Nack;
import dev.selat.xds.XdsStreamStatus.Subscription;
import dev.selat.xds.XdsStreamStatus.TypeStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** {@link XdsServer#streams()}: what a grpc-java client's stream shows after its requests, ACKs and NACKs. */
class StreamStatusTest {
  private static final Node LOCATED = NODE.toBuilder()
      .setLocality(Locality.newBuilder().setRegion("id-jkt").setZone("jakarta"))
      .setMetadata(Struct.newBuilder()
          .putFields("selat.site", Value.newBuilder().setStringValue("jakarta").build())
          .putFields("replicas", Value.newBuilder().setNumberValue(3).build()))
      .build();

  @AutoClose
  private final InProcessXds xds = new InProcessXds();

  private void publishClusterAndEndpoints() {
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .cluster(Resources.edsCluster("a")).endpoints(Resources.endpoints("a", 8080)).build());
  }

  @Test
  void sotw_ackedClustersNackedEndpoints_showsNodeVersionsAndTheNack() {
    publishClusterAndEndpoints();
    Instant connected = xds.clock.instant();
    var stream = xds.sotw().send(request(TypeUrls.CLUSTER).toBuilder().setNode(LOCATED).build());
    DiscoveryResponse clusters = stream.last();
    stream.send(ack(clusters));
    stream.send(DiscoveryRequest.newBuilder().setTypeUrl(TypeUrls.ENDPOINT).addResourceNames("a").build());
    DiscoveryResponse endpoints = stream.last();
    xds.clock.advance(Duration.ofSeconds(5));
    stream.send(nack(endpoints, "", "a"));

    assertThat(xds.server.streams()).singleElement().satisfies(s -> {
      assertThat(s.nodeId()).isEqualTo("envoy-1");
      assertThat(s.stream().node().getLocality().getZone()).isEqualTo("jakarta");
      assertThat(s.nodeMetadata()).isEqualTo(Map.of("replicas", 3.0, "selat.site", "jakarta"));
      assertThat(s.stream().protocol()).isEqualTo(Protocol.SOTW);
      assertThat(s.stream().service()).isEqualTo("ads");
      assertThat(s.connectedAt()).isEqualTo(connected);
      assertThat(s.types()).containsExactly(
          new TypeStatus(TypeUrls.CLUSTER, Optional.of(clusters.getVersionInfo()), Optional.of(clusters.getNonce()),
              false, Optional.of(clusters.getVersionInfo()), Optional.empty(), new Subscription(true, 0, List.of())),
          new TypeStatus(TypeUrls.ENDPOINT, Optional.of(endpoints.getVersionInfo()), Optional.of(endpoints.getNonce()),
              false, Optional.empty(),
              Optional.of(new Nack(endpoints.getVersionInfo(), "rejected by test", connected.plusSeconds(5))),
              new Subscription(false, 1, List.of("a"))));
    });
  }

  @Test
  void sotw_responseNotYetAcked_awaitsAck() {
    publishClusterAndEndpoints();

    xds.sotw().send(request(TypeUrls.CLUSTER));

    TypeStatus clusters = xds.server.streams().get(0).types().get(0);
    assertThat(clusters.awaitingAck()).isTrue();
    assertThat(clusters.sentVersion()).isPresent();
    assertThat(clusters.ackedVersion()).isEmpty();
  }

  @Test
  void delta_ackedClustersNackedEndpoints_showsSystemVersionsAndTheNack() {
    publishClusterAndEndpoints();
    var stream = xds.delta().send(DeltaDiscoveryRequest.newBuilder().setNode(LOCATED).setTypeUrl(TypeUrls.CLUSTER)
        .build());
    DeltaDiscoveryResponse clusters = stream.last();
    stream.send(deltaAck(clusters));
    stream.send(DeltaDiscoveryRequest.newBuilder().setTypeUrl(TypeUrls.ENDPOINT).addResourceNamesSubscribe("a").build());
    DeltaDiscoveryResponse endpoints = stream.last();
    stream.send(deltaAck(endpoints).toBuilder()
        .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3).setMessage("bad endpoints")).build());

    XdsStreamStatus status = xds.server.streams().get(0);
    assertThat(status.stream().protocol()).isEqualTo(Protocol.DELTA);
    assertThat(status.types()).extracting(TypeStatus::typeUrl).containsExactly(TypeUrls.CLUSTER, TypeUrls.ENDPOINT);
    assertThat(status.types().get(0).ackedVersion()).contains(clusters.getSystemVersionInfo());
    assertThat(status.types().get(1).sentNonce()).contains(endpoints.getNonce());
    assertThat(status.types().get(1).ackedVersion()).isEmpty();
    assertThat(status.types().get(1).lastNack()).hasValueSatisfying(n -> {
      assertThat(n.version()).isEqualTo(endpoints.getSystemVersionInfo());
      assertThat(n.errorDetail()).isEqualTo("bad endpoints");
    });
  }

  @Test
  void subscription_manyNames_countedNotListed() {
    publishClusterAndEndpoints();
    List<String> names = IntStream.rangeClosed(0, Subscription.LISTED_UP_TO).mapToObj(i -> "svc-" + i).toList();

    xds.sotw().send(request(TypeUrls.ENDPOINT, names.toArray(String[]::new)));

    Subscription subscription = xds.server.streams().get(0).types().get(0).subscription();
    assertThat(subscription.count()).isEqualTo(Subscription.LISTED_UP_TO + 1);
    assertThat(subscription.names()).isEmpty();
  }

  @Test
  void streams_closedStreamAndOneWithoutFirstRequest_notListed() {
    publishClusterAndEndpoints();
    var closing = xds.sotw().send(request(TypeUrls.CLUSTER));
    xds.sotw(); // connected, no request yet: no node to show
    var open = xds.delta().send(DeltaDiscoveryRequest.newBuilder().setNode(NODE).setTypeUrl(TypeUrls.CLUSTER).build());
    assertThat(xds.server.streams()).hasSize(2);

    closing.close();

    assertThat(xds.server.streams()).singleElement()
        .satisfies(s -> assertThat(s.stream().protocol()).isEqualTo(Protocol.DELTA));
    open.close();
    assertThat(xds.server.streams()).isEmpty();
  }
}
