package dev.selat.xds;

import static dev.selat.xds.InProcessXds.GROUP;
import static dev.selat.xds.InProcessXds.request;
import static dev.selat.xds.Resources.clusters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a server leaves behind when it closes: meters, callbacks, stream bookkeeping. */
class ServerLifecycleTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private double openSotwAdsStreams() {
    return registry.get("selat.xds.streams").tag("protocol", "sotw").tag("service", "ads").gauge().value();
  }

  @Test
  void close_meters_areRemovedFromTheRegistry() {
    new InProcessXds(b -> b.meterRegistry(registry)).close();

    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void secondServer_sameRegistry_gaugesCountItsOwnStreams() {
    new InProcessXds(b -> b.meterRegistry(registry)).close();

    try (InProcessXds xds = new InProcessXds(b -> b.meterRegistry(registry))) {
      xds.server.publish(GROUP, clusters("a"));
      xds.sotw().send(request(TypeUrls.CLUSTER));

      assertThat(openSotwAdsStreams()).isEqualTo(1);
    }
  }

  @Test
  void close_idleStreamWhilePoolIsBusy_itsCloseStillRunsAndIsReported() throws Exception {
    int threads = Runtime.getRuntime().availableProcessors(); // the size of the server's own pool
    CountDownLatch busy = new CountDownLatch(threads);
    CountDownLatch release = new CountDownLatch(1);
    StreamCounts counts = new StreamCounts();
    AtomicInteger opened = counts.opened;
    AtomicInteger closed = counts.closed;
    String name = "xds-" + UUID.randomUUID();
    XdsServer server = XdsServer.builder().inProcess(name).meterRegistry(registry)
        .nodeGroupMapper(node -> {
          if (node.getId().startsWith("busy")) {
            busy.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return GROUP;
        })
        .callbacks(counts)
        .start(); // its own stream pool: no executor given
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      var idle = open(channel, "idle");
      await().atMost(Duration.ofSeconds(10)).until(() -> opened.get() == 1);
      for (int i = 0; i < threads; i++) {
        open(channel, "busy-" + i); // each holds one pool thread
      }
      busy.await();

      Thread closer = Thread.ofPlatform().start(server::close);
      // The idle stream is cut and its close queued on the busy pool; once the closer waits for
      // the pool (or is done), let the busy streams finish.
      await().atMost(Duration.ofSeconds(10)).until(() -> idle.error != null
          && (!closer.isAlive() || closer.getState() == Thread.State.TIMED_WAITING));
      release.countDown();
      closer.join();

      assertThat(closed.get()).isEqualTo(opened.get()).isEqualTo(threads + 1);
    } finally {
      release.countDown();
      channel.shutdownNow();
      server.close();
    }
  }

  private static RecordingStream<DiscoveryRequest, DiscoveryResponse> open(ManagedChannel channel, String nodeId) {
    var stream = RecordingStream.<DiscoveryRequest, DiscoveryResponse>open(
        AggregatedDiscoveryServiceGrpc.newStub(channel)::streamAggregatedResources);
    return stream.send(request(TypeUrls.CLUSTER).toBuilder()
        .setNode(InProcessXds.NODE.toBuilder().setId(nodeId)).build());
  }
}
