package dev.selat.xds;

import static dev.selat.xds.InProcessXds.GROUP;
import static dev.selat.xds.InProcessXds.request;
import static dev.selat.xds.Resources.clusters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtectionTest {

  @Test
  void concurrentStreams_beyondLimit_refusedWithResourceExhausted() {
    try (InProcessXds xds = new InProcessXds(b -> b.maxConcurrentStreams(2))) {
      var first = xds.sotw();
      var second = xds.sotw();
      var third = xds.sotw();

      assertThat(first.error).isNull();
      assertThat(second.error).isNull();
      assertThat(third.error.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(xds.registry.get("selat.xds.streams.rejected").tag("reason", "concurrent").counter().count())
          .isEqualTo(1);

      first.close();
      assertThat(xds.sotw().error).isNull();
    }
  }

  @Test
  void newStreams_fasterThanRate_refusedUntilTokensRefill() {
    try (InProcessXds xds = new InProcessXds(b -> b.maxNewStreamsPerSecond(2))) {
      assertThat(xds.sotw().error).isNull();
      assertThat(xds.sotw().error).isNull();
      assertThat(xds.sotw().error.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

      xds.clock.advance(Duration.ofMillis(500));

      assertThat(xds.sotw().error).isNull();
      assertThat(xds.sotw().error.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }
  }

  @Test
  void newStreams_rateBelowOnePerSecond_oneAdmittedPerRefill() {
    try (InProcessXds xds = new InProcessXds(b -> b.maxNewStreamsPerSecond(0.5))) {
      assertThat(xds.sotw().error).isNull();
      assertThat(xds.sotw().error.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

      xds.clock.advance(Duration.ofSeconds(2));

      assertThat(xds.sotw().error).isNull();
    }
  }

  @Test
  void newStreams_clockStepsBack_admittedAgainAfterTheRefill() {
    try (InProcessXds xds = new InProcessXds(b -> b.maxNewStreamsPerSecond(2))) {
      xds.sotw();
      xds.sotw();

      xds.clock.set(xds.clock.instant().minus(Duration.ofHours(1)));
      assertThat(xds.sotw().error.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      xds.clock.advance(Duration.ofMillis(500));

      assertThat(xds.sotw().error).isNull();
    }
  }

  @Test
  void publish_emptyingClusters_rejectedAndStreamsKeepTheLastGood() {
    try (InProcessXds xds = new InProcessXds()) {
      xds.server.publish(GROUP, clusters("a"));
      var stream = xds.sotw().send(request(TypeUrls.CLUSTER));

      assertThatThrownBy(() -> xds.server.publish(GROUP, ResourceSnapshot.builder()
              .listener(Resources.apiListener("l", "r")).build()))
          .isInstanceOf(SnapshotPublisher.EmptySnapshotException.class)
          .hasMessageContaining("clusters (CDS)");
      assertThat(stream.responses).hasSize(1);

      stream.send(InProcessXds.ack(stream.last()));
      xds.server.publishAllowingEmpty(GROUP, ResourceSnapshot.empty());
      assertThat(stream.last().getResourcesList()).isEmpty();
    }
  }

  @Test
  void identityVerifier_refusingNode_closesStreamWithPermissionDenied() {
    try (InProcessXds xds = new InProcessXds(b -> b.nodeIdentityVerifier((node, chain) -> chain.size() > 0))) {
      xds.server.publish(GROUP, clusters("a"));

      var stream = xds.sotw().send(request(TypeUrls.CLUSTER));

      assertThat(stream.error.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(stream.error.getDescription()).startsWith("node.id:");
      assertThat(stream.responses).isEmpty();
    }
  }

  @Test
  void oneStream_tooManyTypeUrls_failsNamingTypeUrl() {
    try (InProcessXds xds = new InProcessXds()) {
      var stream = xds.sotw();
      for (int i = 0; i <= XdsStream.MAX_TYPES_PER_STREAM && stream.error == null; i++) {
        stream.send(request("type.googleapis.com/test.Type" + i));
      }

      assertThat(stream.error.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(stream.error.getDescription()).startsWith("type_url:");
    }
  }

  @Test
  void callbacks_callbackThrows_responseStillSentAndAcked() {
    XdsCallbacks throwing = new XdsCallbacks() {
      @Override
      public void onResponse(XdsStreamInfo stream, String typeUrl, Collection<VersionedResource> resources,
          Collection<String> removed) {
        throw new IllegalStateException("callback bug");
      }
    };
    try (InProcessXds xds = new InProcessXds(b -> b.callbacks(throwing))) {
      xds.server.publish(GROUP, clusters("a"));
      var stream = xds.sotw().send(request(TypeUrls.CLUSTER));
      stream.send(InProcessXds.ack(stream.last()));

      assertThat(stream.error).isNull();
      assertThat(xds.counter("selat.xds.acks", "cds")).isEqualTo(1);
      assertThat(xds.registry.get("selat.xds.subscriptions").tag("type", "cds").tag("protocol", "sotw").gauge().value())
          .isEqualTo(1);
    }
  }

  @Test
  void nodeGroupMapper_mapperThrows_streamClosedWithInternal() {
    try (InProcessXds xds = new InProcessXds(b -> b.nodeGroupMapper(node -> {
      throw new IllegalArgumentException("no site for node");
    }))) {
      var stream = xds.sotw().send(request(TypeUrls.CLUSTER));

      assertThat(stream.error.getCode()).isEqualTo(Status.Code.INTERNAL);
      assertThat(stream.error.getDescription()).contains("no site for node");
    }
  }

  @Test
  void streamNode_envoyListsExtensions_keptWithoutThem() {
    List<XdsStreamInfo> opened = new ArrayList<>();
    try (InProcessXds xds = new InProcessXds(b -> b.callbacks(new XdsCallbacks() {
      @Override
      public void onStreamOpen(XdsStreamInfo stream) {
        opened.add(stream);
      }
    }))) {
      var node = InProcessXds.NODE.toBuilder()
          .addExtensions(io.envoyproxy.envoy.config.core.v3.Extension.newBuilder()
              .setName("envoy.filters.http.router").setCategory("envoy.filters.http"));

      xds.sotw().send(request(TypeUrls.CLUSTER).toBuilder().setNode(node).build());

      assertThat(opened).singleElement().satisfies(info -> {
        assertThat(info.node().getId()).isEqualTo("envoy-1");
        assertThat(info.node().getExtensionsList()).isEmpty();
      });
    }
  }

  @Test
  void nodeGroupMapper_differentGroups_eachStreamSeesItsOwnGroup() {
    try (InProcessXds xds = new InProcessXds(b -> b.nodeGroupMapper(node -> node.getLocality().getZone()))) {
      xds.server.publish("aws-sg", clusters("in-aws"));
      xds.server.publish("jakarta", clusters("in-jakarta"));
      var node = InProcessXds.NODE.toBuilder();
      node.getLocalityBuilder().setZone("aws-sg");

      var stream = xds.sotw().send(request(TypeUrls.CLUSTER).toBuilder().setNode(node).build());

      assertThat(InProcessXds.names(stream.last())).containsExactly("in-aws");
    }
  }
}
