package dev.selat.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The server-wide outbound bound over a real HTTP/2 transport (grpc-java on Netty, both ends): a
 * storm of clients each asking for every endpoint at once, against a bound far below one first
 * response. Everyone is served, the bytes queued in the transport stay within the bound plus the
 * responses of the pushes that checked at the same time (one per stream-pool thread), and
 * everything is given back at the end: the release rides on the transport's own readiness
 * callbacks, which an in-process test cannot show.
 */
class OutboundBudgetIT {
  private static final String GROUP = "jakarta";
  private static final int CLUSTERS = 200;
  private static final int CLIENTS = 40;
  private static final long LIMIT = 64 * 1024;

  @Test
  void storm_boundFarBelowOneResponse_everyoneServedAndQueuedBytesStayBounded() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    XdsServer server = XdsServer.builder()
        .address(new InetSocketAddress("127.0.0.1", 0))
        .maxQueuedResponseBytes(LIMIT)
        .meterRegistry(registry)
        .start();
    List<ManagedChannel> channels = new ArrayList<>();
    try {
      ResourceSnapshot.Builder snapshot = ResourceSnapshot.builder();
      List<String> names = IntStream.range(0, CLUSTERS).mapToObj(i -> "service-" + i).toList();
      names.forEach(n -> snapshot.endpoints(Resources.endpoints(n, IntStream.range(20000, 20100).toArray())));
      server.publish(GROUP, snapshot.build());
      long responseBytes = IntStream.range(0, CLUSTERS).mapToLong(i ->
          Resources.endpoints(names.get(i), IntStream.range(20000, 20100).toArray()).getSerializedSize()).sum();

      AtomicInteger served = new AtomicInteger();
      for (int c = 0; c < CLIENTS; c++) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        channels.add(channel);
        StreamObserver<DiscoveryRequest> requests = AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(new StreamObserver<>() {
              @Override
              public void onNext(DiscoveryResponse response) {
                if (response.getResourcesCount() == CLUSTERS) {
                  served.incrementAndGet();
                }
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
        requests.onNext(DiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId("envoy-" + c).setCluster(GROUP))
            .setTypeUrl(TypeUrls.ENDPOINT).addAllResourceNames(names).build());
      }

      double maxQueued = 0; // sampled: it can miss a peak, never invent one
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (served.get() < CLIENTS && System.nanoTime() < deadline) {
        maxQueued = Math.max(maxQueued, gauge(registry, "selat.xds.outbound.queued"));
        Thread.onSpinWait();
      }

      assertThat(served.get()).as("clients served their %d endpoints", CLUSTERS).isEqualTo(CLIENTS);
      assertThat(registry.get("selat.xds.outbound.waits").functionCounter().count())
          .as("times a stream waited for room").isPositive();
      int threads = Runtime.getRuntime().availableProcessors();
      assertThat(maxQueued).as("bytes queued in the transport, at most the bound plus %d responses of %d bytes",
          threads, responseBytes).isLessThanOrEqualTo(LIMIT + threads * (double) responseBytes);
      await("budget given back").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(gauge(registry, "selat.xds.outbound.queued")).isZero();
        assertThat(gauge(registry, "selat.xds.outbound.waiting")).isZero();
      });
    } finally {
      for (ManagedChannel channel : channels) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      server.close();
    }
  }

  private static double gauge(SimpleMeterRegistry registry, String name) {
    return registry.get(name).gauge().value();
  }
}
