package dev.selat.controlplane.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import dev.selat.consul.CatalogDelta;
import dev.selat.consul.HealthStatus;
import dev.selat.consul.ServiceEntry;
import dev.selat.consul.ServiceInstance;
import dev.selat.consul.SiteCatalog;
import dev.selat.consul.SiteFreshness;
import dev.selat.consul.Weights;
import dev.selat.controlplane.routing.SitePair;
import dev.selat.proto.v1.LatencyRow;
import dev.selat.proto.v1.LatencyServiceGrpc;
import dev.selat.proto.v1.LinkEstimate;
import dev.selat.proto.v1.WatchLatencyRequest;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Subscriptions against our own LatencyService on a loopback gRPC server (a fake of our own interface). */
class ProbeSubscriptionsTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final AtomicReference<Map<SitePair, List<AgentEstimate>>> latest = new AtomicReference<>(Map.of());
  private final AtomicInteger streams = new AtomicInteger();
  private Server agent;

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.shutdownNow().awaitTermination();
    }
    scheduler.shutdownNow();
  }

  /** An agent in jakarta that sends one row per stream, then ends the stream after {@code rowsThenEnd} streams. */
  private int startAgent(boolean endEachStream) throws Exception {
    agent = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new LatencyServiceGrpc.LatencyServiceImplBase() {
          @Override
          public void watch(WatchLatencyRequest request, StreamObserver<LatencyRow> response) {
            int n = streams.incrementAndGet();
            response.onNext(LatencyRow.newBuilder().setSourceSite("jakarta").setAgentId("jkt-1")
                .addEstimates(LinkEstimate.newBuilder().setTargetSite("alibaba-sg").setPath("leased-line")
                    .setRttSmoothed(com.google.protobuf.Duration.newBuilder().setNanos(12_000_000 + n))
                    .setSamples(30).setLastSampleAt(Timestamp.newBuilder().setSeconds(1_700_000_000)))
                .build());
            if (endEachStream) {
              response.onCompleted();
            }
          }
        })
        .build().start();
    return agent.getPort();
  }

  private static SiteCatalog catalog(int grpcPort, HealthStatus status) {
    ServiceInstance probe = new ServiceInstance("selat-probe-jkt-1", "node-1", "127.0.0.1", 18300, List.of(),
        Map.of("site", "jakarta", "agent_id", "jkt-1", "grpc_port", String.valueOf(grpcPort)), Weights.DEFAULT, status);
    Map<String, ServiceEntry> services = Map.of("selat-probe", new ServiceEntry("selat-probe", List.of(probe)));
    return new SiteCatalog("jakarta", "id-jkt", 1, services, CatalogDelta.between(Map.of(), services), SiteFreshness.SYNCED);
  }

  @Test
  void agentsFoundInTheCatalogStreamTheirEstimates() throws Exception {
    int port = startAgent(false);
    try (ProbeSubscriptions subs = new ProbeSubscriptions("selat-probe", latest::set, scheduler)) {
      subs.onCatalog(catalog(port, HealthStatus.PASSING));

      await().atMost(Duration.ofSeconds(10)).until(() -> latest.get().containsKey(new SitePair("jakarta", "alibaba-sg")));
      AgentEstimate e = latest.get().get(new SitePair("jakarta", "alibaba-sg")).get(0);
      assertThat(e.agentId()).isEqualTo("jkt-1");
      assertThat(e.rtt()).isEqualTo(Duration.ofNanos(12_000_001));
      assertThat(e.lost()).isFalse();

      subs.onCatalog(catalog(port, HealthStatus.CRITICAL));
      await().atMost(Duration.ofSeconds(10)).until(() -> latest.get().isEmpty());
    }
  }

  @Test
  void aStreamThatEndsIsReopenedWithBackoff() throws Exception {
    int port = startAgent(true);
    try (ProbeSubscriptions subs = new ProbeSubscriptions("selat-probe", latest::set, scheduler)) {
      subs.onCatalog(catalog(port, HealthStatus.PASSING));

      await().atMost(Duration.ofSeconds(15)).until(() -> streams.get() >= 2);
      assertThat(latest.get().get(new SitePair("jakarta", "alibaba-sg"))).hasSize(1);
    }
  }
}
