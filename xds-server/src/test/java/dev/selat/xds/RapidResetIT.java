package dev.selat.xds;

import static dev.selat.xds.InProcessXds.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 rapid reset (CVE-2023-44487) over real Netty on loopback: a connection that opens and
 * resets streams faster than the limit is closed, taking its other streams with it.
 */
class RapidResetIT {
  private static final int RESETS = 60;

  @Test
  void connection_resetsStreamsBeyondLimit_isClosed() throws Exception {
    assertThat(victimAfterResets(20)).isNotNull();
  }

  @Test
  void connection_resetsStreamsWithinLimit_staysOpen() throws Exception {
    assertThat(victimAfterResets(10_000)).isNull();
  }

  /** Opens a long-lived stream, then resets {@link #RESETS} streams on the same connection; the long-lived stream's error, if any. */
  private static io.grpc.Status victimAfterResets(int maxRstPerWindow) throws Exception {
    try (XdsServer server = XdsServer.builder()
        .address(new InetSocketAddress("127.0.0.1", 0))
        .maxRstFramesPerWindow(maxRstPerWindow, 10)
        .meterRegistry(new SimpleMeterRegistry())
        .start()) {
      server.publish(InProcessXds.GROUP, ResourceSnapshot.builder()
          .cluster(Resources.edsCluster("a")).listener(Resources.apiListener("l", "r")).build());
      ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
          InsecureChannelCredentials.create()).build();
      try {
        var victim = RecordingStream.<DiscoveryRequest, DiscoveryResponse>open(
            AggregatedDiscoveryServiceGrpc.newStub(channel)::streamAggregatedResources);
        victim.send(request(TypeUrls.CLUSTER));
        await().atMost(Duration.ofSeconds(10)).until(() -> !victim.responses.isEmpty());
        victim.send(InProcessXds.ack(victim.last()));
        for (int i = 0; i < RESETS; i++) {
          ClientCall<DiscoveryRequest, DiscoveryResponse> call = channel.newCall(
              AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod(), CallOptions.DEFAULT);
          call.start(new ClientCall.Listener<>() {}, new Metadata());
          call.sendMessage(request(TypeUrls.CLUSTER));
          call.cancel("rapid reset", null);
        }
        // The server reads frames in order: it answers this only if the connection survived the resets.
        victim.send(request(TypeUrls.LISTENER).toBuilder().clearNode().build());
        await().atMost(Duration.ofSeconds(10)).until(() -> victim.error != null
            || victim.responses.stream().anyMatch(r -> r.getTypeUrl().equals(TypeUrls.LISTENER)));
        return victim.error;
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
