package dev.selat.controlplane.server;

import static dev.selat.controlplane.cli.BootstrapCommandTest.bootstrapOut;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.selat.controlplane.config.ConfigLoader;
import dev.selat.testkit.ConsulSite;
import dev.selat.testkit.EnvoyProcess;
import dev.selat.testkit.NamedBackend;
import dev.selat.testkit.Ports;
import dev.selat.testkit.ThreeSites;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Routes that follow measured links. Three Consul sites (testkit), a real probe agent in each whose probes reach the
 * other sites' agents only through WAN paths on loopback (Toxiproxy for TCP and a UDP delay relay on the same port):
 * the leased line jakarta-alibaba-sg 12 ms, the VPN alibaba-sg-aws-sg 3 ms, jakarta-aws-sg over both (15 ms). The
 * control plane discovers the agents in the catalogs and watches them; real Envoy sidecars in jakarta and alibaba-sg,
 * bootstrapped by {@code selatctl bootstrap}, and a proxyless grpc-java client in jakarta call real gRPC
 * {@code catalog} backends, two per site, that answer with their name: every claim below is counted over real calls.
 *
 * <p>The tests run in order on one set of peers; each leaves the mesh healthy for the next.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeasuredLinksIT {
  private static final Duration DWELL = Duration.ofSeconds(3);
  private static final int CALLS = 200;
  private static final int SPILL_CALLS = 2000;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ThreeSites sites;
  private static ProbedLinks links;
  private static final List<NamedBackend> backends = new ArrayList<>();
  private static ControlPlane cp;
  private static EnvoyProcess jakartaEnvoy;
  private static EnvoyProcess alibabaEnvoy;
  private static ManagedChannel jakarta;
  private static ManagedChannel alibaba;
  private static ManagedChannel proxyless;

  @BeforeAll
  static void start() throws Exception {
    sites = ThreeSites.start(false);
    for (String site : ThreeSites.IDS) {
      for (int i = 0; i < 2; i++) {
        NamedBackend backend = new NamedBackend(site + "-" + i);
        backends.add(backend);
        sites.site(site).registerService("catalog", site + "-" + i, "127.0.0.1", backend.port(), List.of(),
            Map.of("protocol", "grpc"), new ConsulSite.Check(Duration.ofMinutes(10), ConsulSite.Health.PASSING));
      }
    }
    links = ProbedLinks.start(sites);
    // The dwell as an operator would shorten it: by its environment variable.
    cp = ControlPlane.start(ConfigLoader.load(config(), "MeasuredLinksIT",
        Map.of("SELAT_ROUTING_HYSTERESIS_DWELL", DWELL.toMillis() + "ms")));
    await().atMost(Duration.ofSeconds(30)).until(cp::ready);

    String xds = "127.0.0.1:" + cp.xdsPort();
    int jakartaOutbound = Ports.freeTcpPort();
    jakartaEnvoy = EnvoyProcess.start("jakarta-sidecar", bootstrapOut("bootstrap", "--site", "jakarta", "--region",
        "id-jkt", "--upstreams", "catalog", "--no-admin", "--xds-address", xds,
        "--outbound-port", String.valueOf(jakartaOutbound)));
    int alibabaOutbound = Ports.freeTcpPort();
    alibabaEnvoy = EnvoyProcess.start("alibaba-sg-sidecar", bootstrapOut("bootstrap", "--site", "alibaba-sg", "--region",
        "ap-southeast-1", "--upstreams", "catalog", "--no-admin", "--xds-address", xds,
        "--outbound-port", String.valueOf(alibabaOutbound)));
    jakartaEnvoy.awaitHealthyHosts("catalog", 6, Duration.ofSeconds(60));
    alibabaEnvoy.awaitHealthyHosts("catalog", 6, Duration.ofSeconds(60));
    jakarta = ItMesh.sidecarChannel(jakartaOutbound);
    alibaba = ItMesh.sidecarChannel(alibabaOutbound);
    // This JVM's only gRPC xDS bootstrap: grpc-java reads it once per process (failsafe forks per IT class here).
    System.setProperty("io.grpc.xds.bootstrapConfig", bootstrapOut("bootstrap", "--grpc", "--site", "jakarta",
        "--region", "id-jkt", "--xds-address", xds));
    proxyless = Grpc.newChannelBuilder("xds:///catalog", InsecureChannelCredentials.create()).build();
  }

  private static String config() {
    return ItMesh.sitesYaml(sites, site -> "    startBudget: 10s\n") + ItMesh.LINKS_ROUTING_PORTS;
  }

  @AfterAll
  static void stop() throws Exception {
    System.clearProperty("io.grpc.xds.bootstrapConfig");
    ItMesh.closeAll(jakarta, alibaba, proxyless, jakartaEnvoy, alibabaEnvoy, cp, links, sites,
        backends);
  }

  /** (a) Every pair measured over its WAN path; jakarta's sidecar keeps jakarta's traffic in jakarta. */
  @Test
  @Order(1)
  void probesMeasureTheLinks_andJakartaStaysLocal() throws Exception {
    // The first round trips of a path are slower (connections, class loading): the smoothed RTT settles in seconds.
    await("every cell measured by a probe, near its path's RTT").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          Map<String, JsonNode> cells = cells();
          assertThat(cells.values()).allSatisfy(c -> assertThat(c.path("source").asText()).isEqualTo("probe"));
          ProbedLinks.PATHS.keySet().forEach(pair -> {
            double pathMs = links.pathMillis(pair.get(0), pair.get(1));
            assertRtt(cells, pair.get(0) + ">" + pair.get(1), pathMs);
            assertRtt(cells, pair.get(1) + ">" + pair.get(0), pathMs);
          });
        });
    System.out.printf("measured RTTs: %s%n", rtts(cells()));

    assertThat(NamedBackend.bySite(NamedBackend.tally(jakarta, CALLS))).isEqualTo(Map.of("jakarta", CALLS));
  }

  /** (b) jakarta's instances critical: alibaba-sg (12 ms over the leased line), not aws-sg (15 ms). */
  @Test
  @Order(2)
  void jakartaCritical_goesToAlibabaSgNotAwsSg() {
    setHealth("jakarta", ConsulSite.Health.CRITICAL, 0, 1);
    awaitAll(jakarta, "alibaba-sg");

    assertThat(NamedBackend.bySite(NamedBackend.tally(jakarta, CALLS))).isEqualTo(Map.of("alibaba-sg", CALLS));
    setHealth("jakarta", ConsulSite.Health.PASSING, 0, 1);
    awaitAll(jakarta, "jakarta");
  }

  /**
   * (c) alibaba-sg's own instances critical: aws-sg over the 3 ms VPN. The VPN slows to 30 ms: jakarta (12 ms) once
   * the change has held for the dwell time. Then +-2 ms of jitter on the VPN for 60 s: no xDS update reaches either
   * sidecar. The VPN restored: back to aws-sg.
   */
  @Test
  @Order(3)
  void alibabaSg_followsTheVpn_andIgnoresJitter() throws Exception {
    setHealth("alibaba-sg", ConsulSite.Health.CRITICAL, 0, 1);
    awaitAll(alibaba, "aws-sg");
    assertThat(NamedBackend.bySite(NamedBackend.tally(alibaba, CALLS))).isEqualTo(Map.of("aws-sg", CALLS));

    long slowedAt = System.nanoTime();
    links.set(ProbedLinks.VPN, Duration.ofMillis(30), Duration.ZERO);
    awaitAll(alibaba, "jakarta");
    long rerouteMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - slowedAt);
    assertThat(NamedBackend.bySite(NamedBackend.tally(alibaba, CALLS))).isEqualTo(Map.of("jakarta", CALLS));

    links.set(ProbedLinks.VPN, Duration.ofMillis(30), Duration.ofMillis(2));
    Map<String, Long> jakartaBefore = xdsUpdates(jakartaEnvoy);
    Map<String, Long> alibabaBefore = xdsUpdates(alibabaEnvoy);
    double responsesBefore = xdsResponsesSent();
    await("alibaba-sg's calls stay on jakarta through 60 s of jitter").during(Duration.ofSeconds(60))
        .atMost(Duration.ofSeconds(70)).pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(5))
        .until(() -> NamedBackend.bySite(NamedBackend.tally(alibaba, 20)).equals(Map.of("jakarta", 20)));
    Map<String, Long> jakartaAfter = xdsUpdates(jakartaEnvoy);
    Map<String, Long> alibabaAfter = xdsUpdates(alibabaEnvoy);
    double responsesAfter = xdsResponsesSent();
    System.out.printf("VPN 3 -> 30 ms: alibaba-sg rerouted to jakarta after %d ms (dwell %d ms); 60 s of +-2 ms "
        + "jitter: xDS responses sent %.0f -> %.0f, updates accepted by alibaba-sg's Envoy %s -> %s, jakarta's %s -> %s; "
        + "RTTs now %s%n", rerouteMs, DWELL.toMillis(), responsesBefore, responsesAfter, alibabaBefore, alibabaAfter,
        jakartaBefore, jakartaAfter, rtts(cells()));
    assertThat(responsesAfter).as("xDS responses the control plane sent during the jitter").isEqualTo(responsesBefore);
    assertThat(alibabaAfter).as("xDS updates to alibaba-sg's sidecar during the jitter").isEqualTo(alibabaBefore);
    assertThat(jakartaAfter).as("xDS updates to jakarta's sidecar during the jitter").isEqualTo(jakartaBefore);

    links.set(ProbedLinks.VPN, Duration.ofMillis(3), Duration.ZERO);
    awaitAll(alibaba, "aws-sg");
    assertThat(NamedBackend.bySite(NamedBackend.tally(alibaba, CALLS))).isEqualTo(Map.of("aws-sg", CALLS));
    setHealth("alibaba-sg", ConsulSite.Health.PASSING, 0, 1);
    awaitAll(alibaba, "alibaba-sg");
  }

  /**
   * (d) Half of jakarta's instances critical: Envoy spills by priority and overprovisioning factor (1 of 2 healthy x
   * 1.4 = 70% local), the proxyless grpc-java client by the weighted localities Selat computed for it: the same split,
   * within 5 points, over 2,000 calls each. The critical backend keeps running: a call it answered would show.
   */
  @Test
  @Order(4)
  void halfOfJakartaCritical_envoyAndGrpcSpillAlike() {
    setHealth("jakarta", ConsulSite.Health.CRITICAL, 1);
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> NamedBackend.bySite(NamedBackend.tally(jakarta, 50)).containsKey("alibaba-sg")
            && NamedBackend.bySite(NamedBackend.tally(proxyless, 50)).containsKey("alibaba-sg"));

    Map<String, Integer> envoy = NamedBackend.tally(jakarta, SPILL_CALLS);
    Map<String, Integer> grpc = NamedBackend.tally(proxyless, SPILL_CALLS);
    System.out.printf("half of jakarta critical, %d calls each: Envoy %s, grpc-java %s%n", SPILL_CALLS, envoy, grpc);
    assertThat(envoy).doesNotContainKey("jakarta-1").doesNotContainKey("aws-sg-0").doesNotContainKey("aws-sg-1");
    assertThat(grpc).doesNotContainKey("jakarta-1").doesNotContainKey("aws-sg-0").doesNotContainKey("aws-sg-1");
    double envoyLocal = (double) envoy.getOrDefault("jakarta-0", 0) / SPILL_CALLS;
    double grpcLocal = (double) grpc.getOrDefault("jakarta-0", 0) / SPILL_CALLS;
    assertThat(envoyLocal).as("Envoy's local share").isBetween(0.65, 0.75);
    assertThat(Math.abs(envoyLocal - grpcLocal)).as("Envoy vs grpc-java, share points").isLessThanOrEqualTo(0.05);
    setHealth("jakarta", ConsulSite.Health.PASSING, 1);
  }

  private static void setHealth(String site, ConsulSite.Health health, int... instances) {
    for (int i : instances) {
      sites.site(site).setCheck(ConsulSite.serviceCheckId(site + "-" + i), health);
    }
  }

  /** Waits until 20 calls in a row over {@code channel} land in {@code site}. */
  private static void awaitAll(ManagedChannel channel, String site) {
    await(site + " takes every call").atMost(Duration.ofSeconds(60)).ignoreExceptions()
        .until(() -> NamedBackend.bySite(NamedBackend.tally(channel, 20)).equals(Map.of(site, 20)));
  }

  /** Envoy's counters of accepted xDS updates (CDS, LDS, RDS, and EDS per cluster). */
  private static Map<String, Long> xdsUpdates(EnvoyProcess envoy) {
    Map<String, Long> updates = new TreeMap<>();
    for (String line : envoy.stats().split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).endsWith(".update_success")) {
        updates.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 1).trim()));
      }
    }
    assertThat(updates).as("Envoy's update_success counters").containsKey("cluster.catalog.update_success");
    return updates;
  }

  /** The control plane's count of xDS responses sent, every type and stream, from its {@code /metrics}. */
  private static double xdsResponsesSent() throws Exception {
    return admin("/metrics").lines().filter(l -> l.startsWith("selat_xds_responses_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  /** "from>to" -> the matrix cell from {@code /debug/latency}. */
  private static Map<String, JsonNode> cells() throws Exception {
    Map<String, JsonNode> cells = new TreeMap<>();
    for (JsonNode cell : JSON.readTree(admin("/debug/latency")).path("cells")) {
      cells.put(cell.path("from").asText() + ">" + cell.path("to").asText(), cell);
    }
    return cells;
  }

  private static Map<String, String> rtts(Map<String, JsonNode> cells) {
    Map<String, String> rtts = new TreeMap<>();
    cells.forEach((pair, c) -> rtts.put(pair, String.format("%.1f ms (%s; routing %s)", c.path("rttMs").asDouble(),
        c.path("source").asText(), c.path("routingRttMs").asText())));
    return rtts;
  }

  /** The measured RTT is the path's plus loopback and scheduling: at least the path's, within 4 ms above it. */
  private static void assertRtt(Map<String, JsonNode> cells, String pair, double pathMs) {
    assertThat(cells).containsKey(pair);
    assertThat(cells.get(pair).path("rttMs").asDouble()).as("%s RTT, ms", pair).isBetween(pathMs, pathMs + 4);
  }

  private static String admin(String path) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + cp.adminPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
    return response.body();
  }


}
