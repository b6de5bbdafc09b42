package dev.selat.xds;

import static dev.selat.xds.InProcessXds.GROUP;
import static dev.selat.xds.InProcessXds.ack;
import static dev.selat.xds.InProcessXds.nack;
import static dev.selat.xds.InProcessXds.names;
import static dev.selat.xds.InProcessXds.request;
import static dev.selat.xds.Resources.clusters;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class SotwStreamTest {
  @AutoClose
  private final InProcessXds xds = new InProcessXds();


  @Test
  void wildcardCds_published_receivesFullSetAndAckIsCounted() {
    xds.server.publish(GROUP, clusters("a", "b"));
    var stream = xds.sotw().send(request(TypeUrls.CLUSTER));

    assertThat(stream.responses).hasSize(1);
    assertThat(names(stream.last())).containsExactly("a", "b");
    xds.clock.advance(Duration.ofMillis(250));
    stream.send(ack(stream.last()));

    assertThat(xds.counter("selat.xds.acks", "cds")).isEqualTo(1);
    Timer latency = xds.registry.find("selat.xds.publish.ack.latency").tag("type", "cds").timer();
    assertThat(latency.max(TimeUnit.MILLISECONDS)).isEqualTo(250);
  }

  @Test
  void streamGauges_streamClosed_returnToZeroAndBytesWereCounted() {
    xds.server.publish(GROUP, clusters("a", "b"));
    var stream = xds.sotw().send(request(TypeUrls.CLUSTER));
    double bytes = xds.counter("selat.xds.bytes.sent", "cds");
    assertThat(bytes).isEqualTo(stream.last().getSerializedSize());
    assertThat(gauge("selat.xds.streams", "service", "ads")).isEqualTo(1);

    stream.close();

    assertThat(gauge("selat.xds.streams", "service", "ads")).isZero();
    assertThat(gauge("selat.xds.subscriptions", "type", "cds")).isZero();
  }

  @Test
  void request_staleOrUnknownNonce_countedNotTakenAsAckAndLoggedOncePerStream() {
    try (CapturedLogs logs = new CapturedLogs(XdsStream.class)) {
      xds.server.publish(GROUP, clusters("a"));
      var stream = xds.sotw().send(request(TypeUrls.CLUSTER));
      DiscoveryResponse first = stream.last();
      stream.send(ack(first));
      xds.server.publish(GROUP, clusters("a", "b"));
      DiscoveryResponse second = stream.last();

      stream.send(ack(first)); // stale: the response before the latest
      stream.send(ack(second).toBuilder().setResponseNonce("no-such-nonce").build()); // unknown to the stream

      assertThat(xds.counter("selat.xds.requests.stale.nonce", "cds")).isEqualTo(2);
      assertThat(xds.counter("selat.xds.acks", "cds")).isEqualTo(1);
      assertThat(logs.containing("not the latest response sent")).hasSize(1);
      stream.send(ack(second));
      assertThat(xds.counter("selat.xds.acks", "cds")).isEqualTo(2);
      assertThat(xds.counter("selat.xds.requests.stale.nonce", "cds")).isEqualTo(2);
    }
  }

  @Test
  void request_latestNonceAgainAfterItsAck_isNoStaleNonce() {
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 8080)).endpoints(Resources.endpoints("b", 8080)).build());
    var stream = xds.sotw().send(request(TypeUrls.ENDPOINT, "a"));
    stream.send(ack(stream.last(), "a"));

    stream.send(ack(stream.last(), "a", "b")); // a subscription change carries the latest nonce, already ACKed

    assertThat(xds.counter("selat.xds.requests.stale.nonce", "eds")).isZero();
  }

  private double gauge(String name, String tag, String value) {
    return xds.registry.get(name).tag(tag, value).tag("protocol", "sotw").gauge().value();
  }

  @Test
  void request_beforeAnyPublish_waitsThenReceivesFirstSnapshot() {
    var stream = xds.sotw().send(request(TypeUrls.CLUSTER));
    assertThat(stream.responses).isEmpty();

    xds.server.publish(GROUP, clusters("a"));

    assertThat(names(stream.last())).containsExactly("a");
  }

  @Test
  void secondRequest_withoutNode_isServedFromTheFirstRequestsNode() {
    xds.server.publish(GROUP, clusters("a"));
    var stream = xds.sotw().send(request(TypeUrls.CLUSTER));
    stream.send(ack(stream.last()));

    stream.send(DiscoveryRequest.newBuilder().setTypeUrl(TypeUrls.ENDPOINT).addResourceNames("a").build());
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .cluster(Resources.edsCluster("a")).endpoints(Resources.endpoints("a", 8080)).build());

    assertThat(stream.error).isNull();
    assertThat(stream.last().getTypeUrl()).isEqualTo(TypeUrls.ENDPOINT);
  }

  @Test
  void firstRequest_withoutNode_failsNamingTheField() {
    var stream = xds.sotw().send(DiscoveryRequest.newBuilder().setTypeUrl(TypeUrls.CLUSTER).build());

    assertThat(stream.error.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(stream.error.getDescription()).startsWith("node:");
  }

  @Test
  void nack_sameVersionRepublished_isNotResentUntilTheResourceChanges() {
    xds.server.publish(GROUP, clusters("a"));
    var stream = xds.sotw().send(request(TypeUrls.CLUSTER));
    DiscoveryResponse good = stream.last();
    stream.send(ack(good));
    ResourceSnapshot bad = ResourceSnapshot.builder()
        .cluster(Resources.edsCluster("a").toBuilder().setLbPolicyValue(99).build()).build();
    xds.server.publish(GROUP, bad);
    DiscoveryResponse rejected = stream.last();
    assertThat(stream.responses).hasSize(2);

    stream.send(nack(rejected, good.getVersionInfo()));
    xds.server.publish(GROUP, bad);
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .cluster(Resources.edsCluster("a").toBuilder().setLbPolicyValue(99).build())
        .endpoints(Resources.endpoints("a", 8080)).build());

    assertThat(stream.responses).hasSize(2);
    assertThat(xds.counter("selat.xds.nacks", "cds")).isEqualTo(1);

    xds.server.publish(GROUP, clusters("a", "b"));
    assertThat(stream.responses).hasSize(3);
    assertThat(names(stream.last())).containsExactly("a", "b");
  }

  @Test
  void nackedNewCluster_otherClusterAdded_fullSetOmitsTheRejectedOne() {
    xds.server.publish(GROUP, clusters("a"));
    var stream = xds.sotw().send(request(TypeUrls.CLUSTER));
    DiscoveryResponse first = stream.last();
    stream.send(ack(first));
    xds.server.publish(GROUP, clusters("a", "bad"));
    stream.send(nack(stream.last(), first.getVersionInfo()));

    xds.server.publish(GROUP, clusters("a", "bad", "c"));

    assertThat(names(stream.last())).containsExactly("a", "c");
  }

  @Test
  void sotwStream_clientNacksEverything_receivesEachBadVersionExactlyOnce() {
    var stream = xds.sotw().send(request(TypeUrls.CLUSTER));
    for (int i = 0; i < 5; i++) {
      xds.server.publish(GROUP, clusters("a"));
      if (stream.responses.size() > i) {
        stream.send(nack(stream.last(), ""));
      }
    }

    assertThat(stream.responses).hasSize(1);
    assertThat(names(stream.responses.get(0))).containsExactly("a");
  }

  @Test
  void unackedResponse_newerSnapshots_coalesceIntoOneResponseWithTheLatest() {
    xds.server.publish(GROUP, clusters("a"));
    var stream = xds.sotw().send(request(TypeUrls.CLUSTER));
    DiscoveryResponse first = stream.last();

    xds.server.publish(GROUP, clusters("a", "b"));
    xds.server.publish(GROUP, clusters("a", "b", "c"));
    assertThat(stream.responses).hasSize(1);

    stream.send(ack(first));

    assertThat(stream.responses).hasSize(2);
    assertThat(names(stream.last())).containsExactly("a", "b", "c");
  }

  @Test
  void eds_oneOfTwoChanges_sendsOnlyTheChangedResource() {
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1001)).endpoints(Resources.endpoints("b", 2001)).build());
    var stream = xds.sotw().send(request(TypeUrls.ENDPOINT, "a", "b"));
    assertThat(names(stream.last())).containsExactly("a", "b");
    stream.send(ack(stream.last(), "a", "b"));

    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1001)).endpoints(Resources.endpoints("b", 2002)).build());

    assertThat(names(stream.last())).containsExactly("b");
  }

  @Test
  void eds_acksNamingTheSameResourcesInAnotherOrder_resendNothing() {
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1001)).endpoints(Resources.endpoints("b", 2001)).build());
    var stream = xds.sotw().send(request(TypeUrls.ENDPOINT, "b", "a"));
    assertThat(names(stream.last())).containsExactly("a", "b");

    stream.send(ack(stream.last(), "a", "b"));
    stream.send(ack(stream.last(), "b", "a", "b"));
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1001)).endpoints(Resources.endpoints("b", 2002)).build());

    assertThat(stream.responses).hasSize(2);
    assertThat(names(stream.last())).containsExactly("b");
  }

  @Test
  void cds_explicitWildcardRepeatedInAcks_staysWildcard() {
    xds.server.publish(GROUP, clusters("a"));
    var stream = xds.sotw().send(request(TypeUrls.CLUSTER, "*"));
    stream.send(ack(stream.last(), "*"));
    stream.send(ack(stream.last(), "*"));

    xds.server.publish(GROUP, clusters("a", "b"));

    assertThat(stream.responses).hasSize(2);
    assertThat(names(stream.last())).containsExactly("a", "b");
  }

  @Test
  void eds_resubscribedAfterUnsubscribe_isSentAgain() {
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1001)).endpoints(Resources.endpoints("b", 2001)).build());
    var stream = xds.sotw().send(request(TypeUrls.ENDPOINT, "a", "b"));
    stream.send(ack(stream.last(), "a", "b"));
    stream.send(ack(stream.last(), "a"));

    stream.send(ack(stream.last(), "a", "b"));

    assertThat(stream.responses).hasSize(2);
    assertThat(names(stream.last())).containsExactly("b");
  }

  @Test
  void eds_droppedWhileResponseInFlight_isSentAgainWhenResubscribed() {
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1001)).endpoints(Resources.endpoints("b", 2001)).build());
    var stream = xds.sotw().send(request(TypeUrls.ENDPOINT, "a", "b"));
    DiscoveryResponse first = stream.last();
    stream.send(ack(first, "a", "b"));
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1002)).endpoints(Resources.endpoints("b", 2001)).build());
    DiscoveryResponse inFlight = stream.last();
    assertThat(names(inFlight)).containsExactly("a");

    stream.send(ack(first, "a")); // drops b before it has seen the response in flight
    stream.send(ack(inFlight, "a"));
    stream.send(ack(inFlight, "a", "b"));

    assertThat(names(stream.last())).containsExactly("b");
  }

  @Test
  void ads_freshStream_sendsClustersEndpointsListenersRoutesInOrder() {
    var stream = xds.sotw().send(request(TypeUrls.LISTENER)).send(request(TypeUrls.CLUSTER));
    xds.server.publish(GROUP, fullSnapshot("a", "a"));

    new EnvoyLike(stream).ackAll();

    assertThat(stream.responses).extracting(r -> r.getTypeUrl() + names(r)).containsExactly(
        TypeUrls.CLUSTER + "[a]",
        TypeUrls.ENDPOINT + "[a]",
        TypeUrls.LISTENER + "[l]",
        TypeUrls.ROUTE + "[r]");
  }

  @Test
  void ads_routeMovesToNewCluster_addsBeforeSwitchingAndRemovesLast() {
    var stream = xds.sotw().send(request(TypeUrls.LISTENER)).send(request(TypeUrls.CLUSTER));
    xds.server.publish(GROUP, fullSnapshot("a", "a"));
    EnvoyLike envoy = new EnvoyLike(stream);
    envoy.ackAll();
    int before = stream.responses.size();

    xds.server.publish(GROUP, fullSnapshot("b", "b"));
    envoy.ackAll();

    assertThat(stream.responses.subList(before, stream.responses.size()))
        .extracting(r -> r.getTypeUrl() + names(r)).containsExactly(
            TypeUrls.CLUSTER + "[a, b]",
            TypeUrls.ENDPOINT + "[b]",
            TypeUrls.ROUTE + "[r]",
            TypeUrls.CLUSTER + "[b]");
  }

  @Test
  void ads_clusterChangedEndpointsUnchanged_endpointsResentWithoutWaitingForTheClusterAck() {
    ResourceSnapshot.Builder endpoints = ResourceSnapshot.builder().endpoints(Resources.endpoints("a", 8080));
    xds.server.publish(GROUP, endpoints.cluster(Resources.edsCluster("a")).build());
    var stream = xds.sotw().send(request(TypeUrls.CLUSTER));
    stream.send(ack(stream.last())).send(request(TypeUrls.ENDPOINT, "a"));
    stream.send(ack(stream.last(), "a"));
    int before = stream.responses.size();

    xds.server.publish(GROUP, ResourceSnapshot.builder().endpoints(Resources.endpoints("a", 8080))
        .cluster(Resources.edsCluster("a").toBuilder()
            .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(7)).build()).build());

    // Envoy ACKs the changed cluster only once it has warmed, which takes its endpoints again.
    assertThat(stream.responses.subList(before, stream.responses.size()))
        .extracting(r -> r.getTypeUrl() + names(r))
        .containsExactly(TypeUrls.CLUSTER + "[a]", TypeUrls.ENDPOINT + "[a]");
  }

  @Test
  void endpoints_subscribedResourceLeavesSnapshot_nothingSentUntilItChanges() {
    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1001)).endpoints(Resources.endpoints("b", 2001)).build());
    var stream = xds.sotw().send(request(TypeUrls.ENDPOINT, "a", "b"));
    stream.send(ack(stream.last(), "a", "b"));

    // Outside Listener and Cluster, SotW has no deletion: absence from a response deletes nothing.
    xds.server.publish(GROUP, ResourceSnapshot.builder().endpoints(Resources.endpoints("a", 1001)).build());
    assertThat(stream.responses).hasSize(1);

    xds.server.publish(GROUP, ResourceSnapshot.builder()
        .endpoints(Resources.endpoints("a", 1001)).endpoints(Resources.endpoints("b", 2002)).build());
    assertThat(names(stream.last())).containsExactly("b");
  }

  @Test
  void reconnect_withTheCurrentVersion_receivesNothingUntilAChange() {
    xds.server.publish(GROUP, clusters("a"));
    var first = xds.sotw().send(request(TypeUrls.CLUSTER));
    String version = first.last().getVersionInfo();
    first.send(ack(first.last()));
    first.close();

    var second = xds.sotw().send(request(TypeUrls.CLUSTER).toBuilder().setVersionInfo(version).build());
    assertThat(second.responses).isEmpty();

    xds.server.publish(GROUP, clusters("a", "b"));
    assertThat(names(second.last())).containsExactly("a", "b");
  }

  @Test
  void reconnect_withAnOldVersion_receivesTheCurrentSet() {
    xds.server.publish(GROUP, clusters("a"));
    var first = xds.sotw().send(request(TypeUrls.CLUSTER));
    String version = first.last().getVersionInfo();
    first.close();
    xds.server.publish(GROUP, clusters("a", "b"));

    var second = xds.sotw().send(request(TypeUrls.CLUSTER).toBuilder().setVersionInfo(version).build());

    assertThat(names(second.last())).containsExactly("a", "b");
  }

  @Test
  void slowClient_notReady_nothingBufferedAndLatestSentWhenItPulls() {
    xds.server.publish(GROUP, clusters("a"));
    RecordingStream<DiscoveryRequest, DiscoveryResponse> stream =
        RecordingStream.openSlow(xds.ads()::streamAggregatedResources);
    stream.send(request(TypeUrls.CLUSTER));
    xds.server.publish(GROUP, clusters("a", "b"));
    xds.server.publish(GROUP, clusters("a", "b", "c"));
    assertThat(xds.counter("selat.xds.responses", "cds")).isZero();

    stream.pull(1);

    assertThat(stream.responses).hasSize(1);
    assertThat(names(stream.last())).containsExactly("a", "b", "c");
  }

  @Test
  void perTypeService_clusterStream_servesClustersWithoutTypeUrl() {
    xds.server.publish(GROUP, clusters("a"));
    var stream = RecordingStream.<DiscoveryRequest, DiscoveryResponse>open(
        io.envoyproxy.envoy.service.cluster.v3.ClusterDiscoveryServiceGrpc.newStub(xds.channel)::streamClusters);

    stream.send(request("").toBuilder().clearTypeUrl().build());

    assertThat(names(stream.last())).containsExactly("a");
    assertThat(xds.registry.get("selat.xds.streams").tag("service", "cds").tag("protocol", "sotw").gauge().value())
        .isEqualTo(1);
  }

  @Test
  void perTypeService_otherTypeRequested_failsNamingTypeUrl() {
    var stream = RecordingStream.<DiscoveryRequest, DiscoveryResponse>open(
        io.envoyproxy.envoy.service.cluster.v3.ClusterDiscoveryServiceGrpc.newStub(xds.channel)::streamClusters);

    stream.send(request(TypeUrls.LISTENER));

    assertThat(stream.error.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(stream.error.getDescription()).startsWith("type_url:");
  }

  /** Clusters {@code cluster}, its endpoints, listener "l" and route "r" to {@code routeTo}. */
  private static ResourceSnapshot fullSnapshot(String cluster, String routeTo) {
    return ResourceSnapshot.builder()
        .cluster(Resources.edsCluster(cluster))
        .endpoints(Resources.endpoints(cluster, 8080))
        .listener(Resources.apiListener("l", "r"))
        .route(Resources.route("r", "*", routeTo))
        .build();
  }

  /**
   * Answers responses the way Envoy does on ADS: on clusters it first asks for their endpoints,
   * then ACKs; on listeners it first asks for route "r", then ACKs; anything else it just ACKs.
   */
  private static final class EnvoyLike {
    private final RecordingStream<DiscoveryRequest, DiscoveryResponse> stream;
    private String[] endpoints = new String[0];
    private DiscoveryResponse lastEndpoints;
    private int answered;

    EnvoyLike(RecordingStream<DiscoveryRequest, DiscoveryResponse> stream) {
      this.stream = stream;
    }

    void ackAll() {
      while (answered < stream.responses.size()) {
        DiscoveryResponse r = stream.responses.get(answered++);
        switch (r.getTypeUrl()) {
          case TypeUrls.CLUSTER -> {
            endpoints = names(r).toArray(String[]::new);
            stream.send(lastEndpoints == null
                ? request(TypeUrls.ENDPOINT, endpoints)
                : ack(lastEndpoints, endpoints));
            stream.send(ack(r));
          }
          case TypeUrls.ENDPOINT -> {
            lastEndpoints = r;
            stream.send(ack(r, endpoints));
          }
          case TypeUrls.LISTENER -> {
            stream.send(request(TypeUrls.ROUTE, "r"));
            stream.send(ack(r));
          }
          default -> stream.send(ack(r, "r"));
        }
      }
    }
  }
  @Test
  void emptyNames_afterExplicitWildcard_unsubscribesInsteadOfLegacyWildcard() {
    xds.server.publish(GROUP, clusters("a"));
    var stream = xds.sotw().send(request(TypeUrls.CLUSTER, "*"));
    assertThat(names(stream.last())).containsExactly("a");

    stream.send(ack(stream.last()));
    xds.server.publish(GROUP, clusters("a", "b"));

    assertThat(stream.responses).hasSize(1);
  }

  @Test
  void emptyNames_legacyWildcardRepeated_staysWildcard() {
    xds.server.publish(GROUP, clusters("a"));
    var stream = xds.sotw().send(request(TypeUrls.CLUSTER));
    stream.send(ack(stream.last()));

    xds.server.publish(GROUP, clusters("a", "b"));

    assertThat(names(stream.last())).containsExactly("a", "b");
  }
}
