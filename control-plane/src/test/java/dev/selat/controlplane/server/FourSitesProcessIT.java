package dev.selat.controlplane.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.controlplane.cli.BootstrapCommandTest;
import dev.selat.testkit.ConsulSite;
import dev.selat.testkit.EnvoyProcess;
import dev.selat.testkit.NamedBackend;
import dev.selat.testkit.Ports;
import dev.selat.testkit.ThreeSites;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The control plane as an operator runs it: {@code bin/selat-control-plane --config selat.yaml} from the packaged jar,
 * four sites in the file (the three, plus {@code alibaba-jkt}, Alibaba Cloud's Jakarta region, with its own Consul and
 * a 2 ms metro link to jakarta: a fourth site is a config change, nothing else), a real Envoy sidecar in jakarta and
 * gRPC {@code catalog} backends in every site. No probe agents: the matrix is the links' nominal RTTs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FourSitesProcessIT {
  private static final String ALIBABA_JKT = "alibaba-jkt";
  private static final List<String> SITES = List.of(ThreeSites.JAKARTA, ThreeSites.ALIBABA_SG, ThreeSites.AWS_SG,
      ALIBABA_JKT);
  private static final Duration AWS_SG_START_BUDGET = Duration.ofSeconds(12);
  private static final int CALLS = 200;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static final Map<String, ConsulSite> consuls = new TreeMap<>();
  private static final List<NamedBackend> backends = new ArrayList<>();
  private static Path dir;
  private static Path config;
  private static int adminPort;
  private static Process cp;
  private static EnvoyProcess envoy;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("four-sites-it");
    for (String site : SITES) {
      ConsulSite consul = ConsulSite.start(ConsulSite.Options.builder(site).build());
      consuls.put(site, consul);
      int instances = site.equals(ThreeSites.JAKARTA) ? 2 : 1;
      for (int i = 0; i < instances; i++) {
        NamedBackend backend = new NamedBackend(site + "-" + i);
        backends.add(backend);
        consul.registerService("catalog", site + "-" + i, "127.0.0.1", backend.port(), List.of(),
            Map.of("protocol", "grpc"), new ConsulSite.Check(Duration.ofMinutes(10), ConsulSite.Health.PASSING));
      }
    }
    adminPort = Ports.freeTcpPort();
    int xdsPort = Ports.freeTcpPort();
    config = Files.writeString(dir.resolve("selat.yaml"), """
        sites:
          - { id: jakarta, region: id-jkt, consul: { addresses: ["%s"] }, startBudget: 10s }
          - { id: alibaba-sg, region: ap-southeast-1, consul: { addresses: ["%s"] }, startBudget: 10s }
          - { id: aws-sg, region: ap-southeast-1, consul: { addresses: ["%s"] }, startBudget: %ds }
          - { id: alibaba-jkt, region: id-jkt, consul: { addresses: ["%s"] }, startBudget: 10s }
        links:
          - { name: leased-line, sites: [jakarta, alibaba-sg], nominalRtt: 12ms }
          - { name: vpn, sites: [alibaba-sg, aws-sg], nominalRtt: 3ms }
          - { name: jkt-metro, sites: [jakarta, alibaba-jkt], nominalRtt: 2ms }
        routing: { debounce: 50ms, maxDelay: 500ms }
        ports:
          xds: { address: 127.0.0.1, port: %d }
          admin: { address: 127.0.0.1, port: %d }
        """.formatted(hostPort(ThreeSites.JAKARTA), hostPort(ThreeSites.ALIBABA_SG), hostPort(ThreeSites.AWS_SG),
        AWS_SG_START_BUDGET.toSeconds(), hostPort(ALIBABA_JKT), xdsPort, adminPort));
    cp = startControlPlane("first");
    await("ready").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> readyz() == 200);

    int outbound = Ports.freeTcpPort();
    envoy = EnvoyProcess.start("jakarta-sidecar", BootstrapCommandTest.bootstrapOut("bootstrap", "--site", "jakarta",
        "--region", "id-jkt", "--upstreams", "catalog", "--no-admin", "--xds-address", "127.0.0.1:" + xdsPort,
        "--outbound-port", String.valueOf(outbound)));
    envoy.awaitHealthyHosts("catalog", 5, Duration.ofSeconds(60));
    channel = ItMesh.sidecarChannel(outbound);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cp != null) {
      cp.destroy();
      cp.waitFor(30, TimeUnit.SECONDS);
    }
    ItMesh.closeAll(channel, envoy, consuls, backends);
  }

  /** jakarta's instances critical: the fourth site (2 ms) before alibaba-sg (12 ms) and aws-sg (15 ms). */
  @Test
  @Order(1)
  void fourthSiteByConfigOnly_isJakartasNearest() throws Exception {
    assertThat(NamedBackend.bySite(NamedBackend.tally(channel, CALLS))).isEqualTo(Map.of("jakarta", CALLS));

    setJakarta(ConsulSite.Health.CRITICAL);
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> NamedBackend.bySite(NamedBackend.tally(channel, 20)).equals(Map.of(ALIBABA_JKT, 20)));
    assertThat(NamedBackend.bySite(NamedBackend.tally(channel, CALLS))).isEqualTo(Map.of(ALIBABA_JKT, CALLS));
    assertThat(admin("/debug/routes?site=jakarta&service=catalog").body())
        .contains("\"site\" : \"alibaba-jkt\"", "\"rttMs\" : 2.0");

    setJakarta(ConsulSite.Health.PASSING);
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> NamedBackend.bySite(NamedBackend.tally(channel, 20)).equals(Map.of("jakarta", 20)));
  }

  /**
   * aws-sg's Consul goes down, then the control plane is killed with SIGKILL and started again: while aws-sg has not
   * synced and its start budget runs, {@code /readyz} says 503 and the control plane serves no xDS, and Envoy keeps
   * every cluster and endpoint it had (its admin API) and keeps routing; once the budget is spent the control plane
   * is ready and Envoy accepts its updates (aws-sg, never synced in this process, is gone from them).
   */
  @Test
  @Order(2)
  void killedWhileASiteIsDown_restartsUnreadyUntilTheStartBudget_andEnvoyKeepsItsClusters() throws Exception {
    int hostsBefore = envoy.healthyHosts("catalog");
    String clustersBefore = clusterNames();
    consuls.get(ThreeSites.AWS_SG).close();
    cp.destroyForcibly();
    assertThat(cp.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(cp.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
    long updatesBefore = envoy.statValue("cluster.catalog.update_success");

    long restartedAt = System.nanoTime();
    cp = startControlPlane("restarted");
    await("admin server up").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> readyz() > 0);
    // Until 2 s before the budget ends (counted from the restart, so the process's own start-up is slack), continuously.
    Duration window = AWS_SG_START_BUDGET.minusSeconds(2).minus(elapsed(restartedAt));
    int[] checks = {0};
    await("unready, no xDS served, Envoy unchanged while aws-sg's start budget runs").during(window)
        .atMost(window.plusSeconds(1)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          assertThat(readyz()).as("/readyz %d ms after the restart", elapsed(restartedAt).toMillis()).isEqualTo(503);
          assertThat(envoy.statValue("cluster.catalog.update_success")).as("EDS updates Envoy accepted")
              .isEqualTo(updatesBefore);
          assertThat(envoy.healthyHosts("catalog")).as("Envoy's healthy catalog hosts").isEqualTo(hostsBefore);
          assertThat(clusterNames()).isEqualTo(clustersBefore);
          assertThat(NamedBackend.bySite(NamedBackend.tally(channel, 10))).isEqualTo(Map.of("jakarta", 10));
          checks[0]++;
        });
    long connected = envoy.statValue("control_plane.connected_state");

    await("ready once aws-sg's start budget is spent").atMost(Duration.ofSeconds(60)).until(() -> readyz() == 200);
    Duration readyAfter = elapsed(restartedAt);
    await("Envoy accepts the restarted control plane's endpoints").atMost(Duration.ofSeconds(60))
        .until(() -> envoy.statValue("cluster.catalog.update_success") > updatesBefore);
    await().atMost(Duration.ofSeconds(30)).until(() -> envoy.healthyHosts("catalog") == hostsBefore - 1);
    System.out.printf("restart with aws-sg's Consul down: unready and no xDS for %d checks over %d ms (Envoy "
        + "connected_state %d meanwhile, %d healthy catalog hosts kept); ready after %d ms (start budget %d ms); "
        + "then %d healthy hosts, aws-sg's gone%n", checks[0], AWS_SG_START_BUDGET.minusSeconds(2).toMillis(), connected,
        hostsBefore, readyAfter.toMillis(), AWS_SG_START_BUDGET.toMillis(), envoy.healthyHosts("catalog"));
    assertThat(readyAfter).isGreaterThanOrEqualTo(AWS_SG_START_BUDGET);
    assertThat(NamedBackend.bySite(NamedBackend.tally(channel, CALLS))).isEqualTo(Map.of("jakarta", CALLS));
  }

  private static Process startControlPlane(String name) throws Exception {
    // A plain child, not testkit's PeerProcess: the test kills it with SIGKILL and reads its exit code.
    return new ProcessBuilder(Path.of("bin", "selat-control-plane").toAbsolutePath().toString(),
        "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("control-plane-" + name + ".log").toFile()).start();
  }

  private static void setJakarta(ConsulSite.Health health) {
    for (int i = 0; i < 2; i++) {
      consuls.get(ThreeSites.JAKARTA).setCheck(ConsulSite.serviceCheckId("jakarta-" + i), health);
    }
  }

  /** The clusters Envoy has, from its admin API. */
  private static String clusterNames() {
    return envoy.admin("/clusters").lines().filter(l -> l.contains("::")).map(l -> l.substring(0, l.indexOf("::"))).distinct().sorted()
        .reduce((a, b) -> a + "," + b).orElse("");
  }

  private static int readyz() throws Exception {
    return admin("/readyz").statusCode();
  }

  private static HttpResponse<String> admin(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String hostPort(String site) {
    URI uri = consuls.get(site).httpAddress();
    return uri.getHost() + ":" + uri.getPort();
  }

  private static Duration elapsed(long since) {
    return Duration.ofNanos(System.nanoTime() - since);
  }
}
