package dev.selat.xds;

import static dev.selat.xds.InProcessXds.GROUP;
import static dev.selat.xds.InProcessXds.NODE;
import static dev.selat.xds.InProcessXds.deltaAck;
import static dev.selat.xds.InProcessXds.names;
import static dev.selat.xds.Resources.clusters;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class DeltaStreamTest {
  @AutoClose
  private final InProcessXds xds = new InProcessXds();


  private static DeltaDiscoveryRequest subscribe(String typeUrl, String... names) {
    return DeltaDiscoveryRequest.newBuilder().setNode(NODE).setTypeUrl(typeUrl)
        .addAllResourceNamesSubscribe(List.of(names)).build();
  }

  private static Map<String, String> versions(DeltaDiscoveryResponse response) {
    return response.getResourcesList().stream().collect(Collectors.toMap(Resource::getName, Resource::getVersion));
  }

  @Test
  void wildcard_oneClusterChanges_sendsOnlyThatCluster() {
    xds.server.publish(GROUP, clusters("a", "b"));
    var stream = xds.delta().send(subscribe(TypeUrls.CLUSTER));
    assertThat(names(stream.last())).containsExactly("a", "b");
    stream.send(deltaAck(stream.last()));

    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .cluster(Resources.edsCluster("a"))
        .cluster(Resources.edsCluster("b").toBuilder().setConnectTimeout(
            com.google.protobuf.Duration.newBuilder().setSeconds(7)).build())
        .build());

    assertThat(names(stream.last())).containsExactly("b");
    assertThat(stream.last().getRemovedResourcesList()).isEmpty();
    assertThat(stream.last().getSystemVersionInfo()).isNotEmpty();
  }

  @Test
  void ack_staleNonce_countedAndIgnoredButItsSubscriptionApplies() {
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 8080)).endpoints(Resources.endpoints("b", 8080)).build());
    var stream = xds.delta().send(subscribe(TypeUrls.ENDPOINT, "a"));
    DeltaDiscoveryResponse first = stream.last();
    stream.send(deltaAck(first));
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 9090)).endpoints(Resources.endpoints("b", 8080)).build());

    stream.send(deltaAck(first).toBuilder().addResourceNamesSubscribe("b").build());

    assertThat(xds.counter("selat.xds.requests.stale.nonce", "eds")).isEqualTo(1);
    assertThat(xds.counter("selat.xds.acks", "eds")).isEqualTo(1);
    stream.send(deltaAck(stream.last()));
    assertThat(names(stream.last())).containsExactly("b");
  }

  @Test
  void removedCluster_afterAdditionsAcked_isListedInRemovedResources() {
    xds.server.publish(GROUP, clusters("a", "b"));
    var stream = xds.delta().send(subscribe(TypeUrls.CLUSTER));
    stream.send(deltaAck(stream.last()));

    xds.server.publish(GROUP, clusters("a", "c"));
    assertThat(names(stream.last())).containsExactly("c");
    assertThat(stream.last().getRemovedResourcesList()).isEmpty();
    stream.send(deltaAck(stream.last()));

    assertThat(stream.last().getResourcesList()).isEmpty();
    assertThat(stream.last().getRemovedResourcesList()).containsExactly("b");
  }

  @Test
  void reconnect_withInitialResourceVersions_receivesOnlyWhatChanged() {
    xds.server.publish(GROUP, clusters("a", "b"));
    var first = xds.delta().send(subscribe(TypeUrls.CLUSTER));
    Map<String, String> held = versions(first.last());
    first.send(deltaAck(first.last()));
    first.close();
    xds.server.publish(GROUP, clusters("a", "c"));

    var second = xds.delta().send(subscribe(TypeUrls.CLUSTER).toBuilder().putAllInitialResourceVersions(held).build());

    assertThat(names(second.last())).containsExactly("c");
    second.send(deltaAck(second.last()));
    assertThat(second.last().getRemovedResourcesList()).containsExactly("b");
    assertThat(second.responses).hasSize(2);
  }

  @Test
  void nack_sameVersion_notResentUntilChanged() {
    var stream = xds.delta().send(subscribe(TypeUrls.ENDPOINT, "a"));
    xds.server.publish(GROUP, ResourceSnapshot.builder().endpoints(Resources.endpoints("a", 1001)).build());
    stream.send(deltaAck(stream.last()).toBuilder()
        .setErrorDetail(com.google.rpc.Status.newBuilder().setMessage("bad endpoints")).build());

    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1001)).cluster(Resources.edsCluster("x")).build());
    assertThat(stream.responses).hasSize(1);
    assertThat(xds.counter("selat.xds.nacks", "eds")).isEqualTo(1);

    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1002)).cluster(Resources.edsCluster("x")).build());
    assertThat(stream.responses).hasSize(2);
  }

  @Test
  void subscribeThenUnsubscribe_namedResources_followTheSubscription() {
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1001)).endpoints(Resources.endpoints("b", 2001)).build());
    var stream = xds.delta().send(subscribe(TypeUrls.ENDPOINT, "a"));
    assertThat(names(stream.last())).containsExactly("a");
    stream.send(deltaAck(stream.last()).toBuilder().addResourceNamesSubscribe("b").build());
    assertThat(names(stream.last())).containsExactly("b");
    stream.send(deltaAck(stream.last()).toBuilder().addResourceNamesUnsubscribe("a").build());

    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1009)).endpoints(Resources.endpoints("b", 2001)).build());

    assertThat(stream.responses).hasSize(2);
  }

  @Test
  void perTypeService_deltaEndpoints_servesEndpointsWithoutTypeUrl() {
    xds.server.publish(GROUP, ResourceSnapshot.builder().endpoints(Resources.endpoints("a", 1001)).build());
    var stream = RecordingStream.<DeltaDiscoveryRequest, DeltaDiscoveryResponse>open(
        io.envoyproxy.envoy.service.endpoint.v3.EndpointDiscoveryServiceGrpc.newStub(xds.channel)::deltaEndpoints);

    stream.send(subscribe("", "a").toBuilder().clearTypeUrl().build());

    assertThat(names(stream.last())).containsExactly("a");
    assertThat(stream.last().getTypeUrl()).isEqualTo(TypeUrls.ENDPOINT);
  }

  @Test
  void ads_clustersAndListeners_clustersFirstListenersAfterTheirAck() {
    var stream = xds.delta().send(subscribe(TypeUrls.LISTENER)).send(
        DeltaDiscoveryRequest.newBuilder().setTypeUrl(TypeUrls.CLUSTER).build());
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .cluster(Resources.edsCluster("a")).listener(Resources.apiListener("l", "r")).build());
    assertThat(stream.responses).extracting(DeltaDiscoveryResponse::getTypeUrl).containsExactly(TypeUrls.CLUSTER);

    stream.send(deltaAck(stream.last()));

    assertThat(stream.responses).extracting(DeltaDiscoveryResponse::getTypeUrl)
        .containsExactly(TypeUrls.CLUSTER, TypeUrls.LISTENER);
  }

  @Test
  void wildcardListeners_emptySnapshot_answeredOnceWithNothing() {
    xds.server.publish(GROUP, clusters("a"));
    var stream = xds.delta().send(subscribe(TypeUrls.LISTENER));

    assertThat(stream.responses).hasSize(1);
    assertThat(stream.last().getResourcesList()).isEmpty();
    stream.send(deltaAck(stream.last()));
    assertThat(stream.responses).hasSize(1);
  }
  @Test
  void subscribe_nameAlreadyHeld_resendsIt() {
    xds.server.publish(GROUP, ResourceSnapshot.builder().endpoints(Resources.endpoints("a", 1001)).build());
    var stream = xds.delta().send(subscribe(TypeUrls.ENDPOINT, "a"));
    stream.send(deltaAck(stream.last()));

    // discovery.proto: the client may have dropped it and regained interest before unsubscribing.
    stream.send(deltaAck(stream.last()).toBuilder().addResourceNamesSubscribe("a").build());

    assertThat(stream.responses).hasSize(2);
    assertThat(names(stream.last())).containsExactly("a");
  }

  @Test
  void unsubscribe_whileResponseInFlight_removalOfThatNameNotSent() {
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1001)).endpoints(Resources.endpoints("b", 2001)).build());
    var stream = xds.delta().send(subscribe(TypeUrls.ENDPOINT, "a", "b"));
    stream.send(deltaAck(stream.last()));
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1002)).endpoints(Resources.endpoints("b", 2001)).build());
    assertThat(names(stream.last())).containsExactly("a");

    stream.send(deltaAck(stream.last()).toBuilder().addResourceNamesUnsubscribe("b").build());
    xds.server.publish(GROUP, ResourceSnapshot.builder().endpoints(Resources.endpoints("a", 1002)).build());

    assertThat(stream.responses).hasSize(2);
  }
  @Test
  void subscribe_inTheAckOfAResponseCarryingIt_resendsIt() {
    xds.server.publish(GROUP, ResourceSnapshot.builder().endpoints(Resources.endpoints("a", 1001)).build());
    var stream = xds.delta().send(subscribe(TypeUrls.ENDPOINT, "a"));
    stream.send(deltaAck(stream.last()));
    xds.server.publish(GROUP, ResourceSnapshot.builder().endpoints(Resources.endpoints("a", 1002)).build());
    assertThat(stream.responses).hasSize(2);

    // The client dropped "a" and wants it again, before it saw the response in flight.
    stream.send(deltaAck(stream.last()).toBuilder().addResourceNamesSubscribe("a").build());

    assertThat(stream.responses).hasSize(3);
    assertThat(names(stream.last())).containsExactly("a");
  }

  @Test
  void subscribe_resourceThatDoesNotExist_listedAsRemovedThenSentOnceItExists() {
    xds.server.publish(GROUP, ResourceSnapshot.builder().endpoints(Resources.endpoints("a", 1001)).build());
    var stream = xds.delta().send(subscribe(TypeUrls.ENDPOINT, "a", "x"));
    assertThat(names(stream.last())).containsExactly("a");
    stream.send(deltaAck(stream.last()));

    assertThat(stream.last().getResourcesList()).isEmpty();
    assertThat(stream.last().getRemovedResourcesList()).containsExactly("x");
    stream.send(deltaAck(stream.last()));
    assertThat(stream.responses).hasSize(2);

    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1001)).endpoints(Resources.endpoints("x", 3001)).build());
    assertThat(names(stream.last())).containsExactly("x");
  }

  @Test
  void subscribeToEverything_oneRemovedBeforeTheFirstAnswer_restSentThenItListedAsRemoved() {
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1001)).endpoints(Resources.endpoints("b", 2001)).build());
    RecordingStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> stream =
        RecordingStream.openSlow(xds.ads()::deltaAggregatedResources);
    stream.send(subscribe(TypeUrls.ENDPOINT, "b", "a")); // not ready: answered on the next pull
    xds.server.publish(GROUP, ResourceSnapshot.builder().endpoints(Resources.endpoints("a", 1001)).build());

    stream.pull(1);
    assertThat(names(stream.last())).containsExactly("a");
    stream.pull(1);
    stream.send(deltaAck(stream.last()));

    assertThat(stream.responses).hasSize(2);
    assertThat(stream.last().getResourcesList()).isEmpty();
    assertThat(stream.last().getRemovedResourcesList()).containsExactly("b");
  }

  @Test
  void subscribeToEverything_changeAfterTheAck_sendsOnlyTheChange() {
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1001)).endpoints(Resources.endpoints("b", 2001)).build());
    var stream = xds.delta().send(subscribe(TypeUrls.ENDPOINT, "a", "b"));
    assertThat(names(stream.last())).containsExactlyInAnyOrder("a", "b");
    stream.send(deltaAck(stream.last()));

    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1001)).endpoints(Resources.endpoints("b", 2002)).build());

    assertThat(stream.responses).hasSize(2);
    assertThat(names(stream.last())).containsExactly("b");
  }

  @Test
  void unsubscribe_nameAlsoCoveredByWildcard_resendsIt() {
    xds.server.publish(GROUP, clusters("a", "b"));
    var stream = xds.delta().send(subscribe(TypeUrls.CLUSTER, "*", "a"));
    assertThat(names(stream.last())).containsExactly("a", "b");
    stream.send(deltaAck(stream.last()));

    stream.send(deltaAck(stream.last()).toBuilder().addResourceNamesUnsubscribe("a").build());

    assertThat(stream.responses).hasSize(2);
    assertThat(names(stream.last())).containsExactly("a");
  }
  @Test
  void ads_clusterChangedEndpointsUnchanged_endpointsResentWithoutWaitingForTheClusterAck() {
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .cluster(Resources.edsCluster("a")).endpoints(Resources.endpoints("a", 1001)).build());
    var stream = xds.delta().send(subscribe(TypeUrls.CLUSTER));
    stream.send(deltaAck(stream.last())).send(subscribe(TypeUrls.ENDPOINT, "a"));
    stream.send(deltaAck(stream.last()));
    int before = stream.responses.size();

    xds.server.publish(GROUP, ResourceSnapshot.builder().endpoints(Resources.endpoints("a", 1001))
        .cluster(Resources.edsCluster("a").toBuilder()
            .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(7)).build()).build());

    assertThat(stream.responses.subList(before, stream.responses.size()))
        .extracting(r -> r.getTypeUrl() + names(r))
        .containsExactly(TypeUrls.CLUSTER + "[a]", TypeUrls.ENDPOINT + "[a]");
  }
}
