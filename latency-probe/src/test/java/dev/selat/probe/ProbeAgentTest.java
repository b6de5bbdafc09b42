package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.proto.v1.LatencyRow;
import dev.selat.proto.v1.LatencyServiceGrpc;
import dev.selat.proto.v1.LinkEstimate;
import dev.selat.proto.v1.ProbeMethod;
import dev.selat.proto.v1.WatchLatencyRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Two agents on loopback with static peers: real sockets, real gRPC (Netty), real HTTP. */
class ProbeAgentTest {

  @Test
  void agent_staticPeer_streamsItsRowOverGrpcAndServesRttHistograms() throws Exception {
    try (ProbeAgent awsSg = ProbeAgent.start(config("aws-sg", null), Clock.systemUTC(), Ticker.system(), registry());
        ProbeAgent jakarta = ProbeAgent.start(config("jakarta", "aws-sg=127.0.0.1:" + awsSg.probeAddress().getPort()),
            Clock.systemUTC(), Ticker.system(), registry())) {
      ManagedChannel channel = NettyChannelBuilder.forAddress(jakarta.grpcAddress()).usePlaintext().build();
      try {
        Iterator<LatencyRow> rows = LatencyServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .watch(WatchLatencyRequest.getDefaultInstance());
        LatencyRow row = rows.next();
        while (row.getEstimatesCount() == 0 || row.getEstimates(0).getSamples() < 5) {
          row = rows.next();
        }

        LinkEstimate toAwsSg = row.getEstimates(0);
        assertThat(row.getSourceSite()).isEqualTo("jakarta");
        assertThat(toAwsSg.getTargetSite()).isEqualTo("aws-sg");
        assertThat(toAwsSg.getPath()).isEqualTo("leased-line+vpn");
        assertThat(toAwsSg.getMethod()).isEqualTo(ProbeMethod.PROBE_METHOD_UDP_ECHO);
        assertThat(toAwsSg.getStale()).isFalse();
        assertThat(toAwsSg.getRttP50().getNanos()).isPositive();
      } finally {
        channel.shutdownNow();
      }

      String metrics = get(URI.create("http://127.0.0.1:" + jakarta.metricsAddress().getPort() + "/metrics"));
      String peer = "path=\"leased-line+vpn\",peer=\"127.0.0.1:" + awsSg.probeAddress().getPort()
          + "\",peer_site=\"aws-sg\"";
      assertThat(metrics).contains("selat_probe_rtt_seconds_bucket{" + peer);
      assertThat(metrics).contains("selat_probe_probes_total{outcome=\"answered\"," + peer);
      assertThat(metrics).contains("selat_probe_stale{" + peer + "} 0.0");
      assertThat(metrics).contains("selat_probe_rtt_smoothed_seconds{" + peer + "}");
    }
  }

  @Test
  void agent_consulUnreachableAtStart_startsAndProbesItsStaticPeers() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (ProbeAgent awsSg = ProbeAgent.start(config("aws-sg", null), Clock.systemUTC(), Ticker.system(), registry())) {
      ProbeAgentConfig.Draft draft = AgentConfigs.loopback("jakarta");
      draft.consul.address = "http://127.0.0.1:" + closedPort;
      draft.consul.register = true;
      draft.consul.discover.add(draft.consul.address);
      draft.peers.add(staticPeer("aws-sg", awsSg.probeAddress().getPort()));

      try (ProbeAgent jakarta = ProbeAgent.start(draft.build(), Clock.systemUTC(), Ticker.system(), registry())) {
        await().atMost(Duration.ofSeconds(20))
            .until(() -> jakarta.prober().estimates().join().getFirst().estimate().samples() >= 3);
      }
    }
  }

  /** Closing leaves nothing behind: no meter of the agent stays in the registry, no thread of it runs on. */
  @Test
  void close_agentProbingAPeer_endsItsThreadsAndRemovesItsMeters() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    PrometheusMeterRegistry registry = registry();
    try (DatagramSocket silentPeer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      ProbeAgent jakarta = ProbeAgent.start(config("jakarta", "aws-sg=127.0.0.1:" + silentPeer.getLocalPort()),
          Clock.systemUTC(), Ticker.system(), registry);
      await().atMost(Duration.ofSeconds(20)).until(() -> registry.find("selat.probe.stale").gauge() != null
          && registry.find("selat.probe.rtt").timer() != null);

      jakarta.close();
    }

    assertThat(registry.getMeters()).extracting(m -> m.getId().getName())
        .filteredOn(name -> name.startsWith("selat.probe"))
        .isEmpty();
    // A thread ends a moment after its executor says it terminated: wait for that, not for a leak.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(t -> !before.contains(t))
        .extracting(Thread::getName)
        .filteredOn(name -> name.startsWith("selat-probe") || name.startsWith("selat-prober"))
        .isEmpty());
  }

  private static ProbeAgentConfig.Draft.StaticPeerDraft staticPeer(String site, int port) {
    ProbeAgentConfig.Draft.StaticPeerDraft p = new ProbeAgentConfig.Draft.StaticPeerDraft();
    p.site = site;
    p.address = "127.0.0.1";
    p.port = port;
    return p;
  }

  private static ProbeAgentConfig config(String site, String peer) {
    ProbeAgentConfig.Draft draft = AgentConfigs.loopback(site);
    draft.paths.put("aws-sg", "leased-line+vpn");
    if (peer != null) {
      String[] parts = peer.split("[=:]");
      draft.peers.add(staticPeer(parts[0], Integer.parseInt(parts[2])));
    }
    return draft.build();
  }

  private static PrometheusMeterRegistry registry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  private static String get(URI uri) throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return response.body();
    }
  }
}
