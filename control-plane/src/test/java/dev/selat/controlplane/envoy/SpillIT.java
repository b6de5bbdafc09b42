package dev.selat.controlplane.envoy;

import static dev.selat.controlplane.cli.BootstrapCommandTest.bootstrapOut;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.controlplane.config.NodeMetadata;
import dev.selat.controlplane.config.RoutingSettings;
import dev.selat.controlplane.routing.Brain;
import dev.selat.controlplane.routing.CheckStatus;
import dev.selat.controlplane.routing.HeldLatency;
import dev.selat.controlplane.routing.HostPort;
import dev.selat.controlplane.routing.Instance;
import dev.selat.controlplane.routing.LatencyCell;
import dev.selat.controlplane.routing.LatencyMatrix;
import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.controlplane.routing.SiteInput;
import dev.selat.controlplane.routing.SitePair;
import dev.selat.testkit.EnvoyProcess;
import dev.selat.testkit.NamedBackend;
import dev.selat.testkit.Ports;
import dev.selat.xds.XdsServer;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The brain's gradual spill through real peers: half of jakarta's {@code catalog} instances critical,
 * a real Envoy (bootstrapped by {@code selatctl bootstrap}) spilling by priority and overprovisioning
 * factor, and the real grpc-java xDS client given the same split as weighted localities, both counted
 * over 2,000 calls to real gRPC backends. The critical instance keeps running: a call it answered
 * would show.
 */
class SpillIT {
  private static final int CALLS = 2000;

  private static XdsServer server;
  private static NamedBackend jakarta0;
  private static NamedBackend jakarta1;
  private static NamedBackend alibaba0;
  private static EnvoyProcess envoy;
  private static ManagedChannel viaEnvoy;
  private static ManagedChannel proxyless;
  private static ServiceRoute route;

  @BeforeAll
  static void start() throws Exception {
    jakarta0 = new NamedBackend("jakarta-0");
    jakarta1 = new NamedBackend("jakarta-1");
    alibaba0 = new NamedBackend("alibaba-sg-0");
    Map<String, String> grpc = Map.of("protocol", "grpc");
    Map<String, SiteInput> sites = Map.of(
        "jakarta", SiteInput.fresh("jakarta", "id-jkt", Map.of("catalog", List.of(
            new Instance("jakarta-0", new HostPort("127.0.0.1", jakarta0.port()), Optional.empty(), CheckStatus.PASSING, 1, 1, grpc),
            new Instance("jakarta-1", new HostPort("127.0.0.1", jakarta1.port()), Optional.empty(), CheckStatus.CRITICAL, 1, 1, grpc)))),
        "alibaba-sg", SiteInput.fresh("alibaba-sg", "ap-southeast-1", Map.of("catalog", List.of(
            new Instance("alibaba-sg-0", new HostPort("10.255.0.1", 1), Optional.of(new HostPort("127.0.0.1", alibaba0.port())),
                CheckStatus.PASSING, 1, 1, grpc)))));
    LatencyMatrix m = new LatencyMatrix(Map.of(new SitePair("jakarta", "alibaba-sg"), LatencyCell.probe(Duration.ofMillis(12))));
    route = Brain.route("catalog", "jakarta", sites,
        HeldLatency.EMPTY.step(m, Instant.EPOCH, RoutingSettings.DEFAULT), RoutingSettings.DEFAULT);

    server = XdsServer.builder()
        .address(new InetSocketAddress("127.0.0.1", 0))
        .nodeGroupMapper(node -> node.getMetadata().getFieldsOrDefault(NodeMetadata.ROLE,
            com.google.protobuf.Value.getDefaultInstance()).getStringValue())
        .meterRegistry(new SimpleMeterRegistry())
        .start();
    int outbound = Ports.freeTcpPort();
    server.publish(NodeMetadata.ROLE_SIDECAR,
        ProxyResources.envoy(List.of(route), new HostPort("127.0.0.1", outbound), RoutingSettings.DEFAULT.overprovisioningFactor()));
    server.publish(NodeMetadata.ROLE_GRPC, ProxyResources.grpc(List.of(route)));

    String xds = "127.0.0.1:" + server.port();
    envoy = EnvoyProcess.start("jakarta-sidecar", bootstrapOut("bootstrap", "--site", "jakarta", "--region", "id-jkt",
        "--upstreams", "catalog", "--no-admin", "--xds-address", xds, "--outbound-port", String.valueOf(outbound)));
    envoy.awaitHealthyHosts("catalog", 2, Duration.ofSeconds(60));
    viaEnvoy = Grpc.newChannelBuilder("127.0.0.1:" + outbound, InsecureChannelCredentials.create())
        .overrideAuthority("catalog").build();

    System.setProperty("io.grpc.xds.bootstrapConfig", bootstrapOut("bootstrap", "--grpc", "--site", "jakarta",
        "--region", "id-jkt", "--xds-address", xds));
    proxyless = Grpc.newChannelBuilder("xds:///catalog", InsecureChannelCredentials.create()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    System.clearProperty("io.grpc.xds.bootstrapConfig");
    for (ManagedChannel c : new ManagedChannel[] {viaEnvoy, proxyless}) {
      if (c != null) {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    for (AutoCloseable c : new AutoCloseable[] {envoy, server, jakarta0, jakarta1, alibaba0}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void envoyAndGrpcClientsGetTheSameSplit() {
    assertThat(route.shares()).isEqualTo(Map.of("jakarta", 700, "alibaba-sg", 300));
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> calls(proxyless, 50).size() == 2);

    Map<String, Integer> envoySplit = calls(viaEnvoy, CALLS);
    Map<String, Integer> grpcSplit = calls(proxyless, CALLS);

    System.out.printf("half of jakarta critical, %d calls each: Envoy %s, grpc-java %s (brain: %s)%n",
        CALLS, envoySplit, grpcSplit, route.shares());
    assertThat(envoySplit).doesNotContainKey("jakarta-1");
    assertThat(grpcSplit).doesNotContainKey("jakarta-1");
    double envoyLocal = share(envoySplit, "jakarta-0");
    double grpcLocal = share(grpcSplit, "jakarta-0");
    assertThat(envoyLocal).as("Envoy's local share").isBetween(0.65, 0.75);
    assertThat(grpcLocal).as("grpc-java's local share").isBetween(0.65, 0.75);
    assertThat(Math.abs(envoyLocal - grpcLocal)).as("Envoy vs grpc-java, points").isLessThanOrEqualTo(0.05);
  }


  private static Map<String, Integer> calls(ManagedChannel channel, int n) {
    return NamedBackend.tally(channel, n);
  }

  private static double share(Map<String, Integer> byBackend, String backend) {
    int total = byBackend.values().stream().mapToInt(Integer::intValue).sum();
    return (double) byBackend.getOrDefault(backend, 0) / total;
  }
}
