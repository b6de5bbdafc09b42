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
import dev.selat.testkit.Tools;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
 * The control plane as a whole: three Consul sites (consul-emulator), the route engine, the xDS
 * server and a real Envoy sidecar in jakarta bootstrapped by {@code selatctl bootstrap}, calling
 * real gRPC {@code catalog} backends registered in each site's catalog. No probe agents here: the
 * matrix is the links' nominal RTTs (leased line 12 ms, VPN 3 ms), so jakarta fails over to
 * alibaba-sg (12 ms) before aws-sg (15 ms).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControlPlaneIT {
  private static final int CALLS = 200;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ThreeSites sites;
  private static final Map<String, NamedBackend> backends = new TreeMap<>();
  private static ControlPlane cp;
  private static EnvoyProcess envoy;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    sites = ThreeSites.start(false);
    for (String site : ThreeSites.IDS) {
      for (int i = 0; i < 2; i++) {
        String id = site + "-" + i;
        NamedBackend backend = new NamedBackend(id);
        backends.put(id, backend);
        sites.site(site).registerService("catalog", id, "127.0.0.1", backend.port(), List.of(), Map.of("protocol", "grpc"),
            new ConsulSite.Check(Duration.ofMinutes(10), ConsulSite.Health.PASSING));
      }
    }
    // A service only alibaba-sg has: when alibaba-sg expires in drop mode, it is kept for it (static stability).
    sites.alibabaSg().registerService("search", "alibaba-sg-search", "127.0.0.1", backends.get("alibaba-sg-0").port(),
        List.of(), Map.of("protocol", "grpc"), new ConsulSite.Check(Duration.ofMinutes(10), ConsulSite.Health.PASSING));
    String yaml = ItMesh.sitesYaml(sites, site -> "    startBudget: 10s\n"
        + (site.equals(ThreeSites.ALIBABA_SG) ? "    staleness: { budget: 5s, mode: drop }\n" : ""))
        + ItMesh.LINKS_ROUTING_PORTS;
    cp = ControlPlane.start(ConfigLoader.load(yaml, "ControlPlaneIT", Map.of()));
    await().atMost(Duration.ofSeconds(30)).until(cp::ready);

    int outbound = Ports.freeTcpPort();
    envoy = EnvoyProcess.start("jakarta-sidecar", bootstrapOut("bootstrap", "--site", "jakarta", "--region", "id-jkt",
        "--upstreams", "catalog", "--no-admin", "--xds-address", "127.0.0.1:" + cp.xdsPort(),
        "--outbound-port", String.valueOf(outbound)));
    envoy.awaitHealthyHosts("catalog", 6, Duration.ofSeconds(60));
    channel = ItMesh.sidecarChannel(outbound);
  }

  @AfterAll
  static void stop() throws Exception {
    ItMesh.closeAll(channel, envoy, cp, sites, backends);
  }

  @Test
  @Order(1)
  void readyAndServingTheLocalSite() throws Exception {
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
    assertThat(get("/healthz").statusCode()).isEqualTo(200);

    assertThat(NamedBackend.bySite(calls(CALLS))).isEqualTo(Map.of("jakarta", CALLS));
  }

  @Test
  @Order(2)
  void jakartaCriticalFailsOverOverTheLeasedLineNotAwsSg() throws Exception {
    for (int i = 0; i < 2; i++) {
      sites.jakarta().setCheck(ConsulSite.serviceCheckId("jakarta-" + i), ConsulSite.Health.CRITICAL);
    }
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> NamedBackend.bySite(calls(20)).equals(Map.of("alibaba-sg", 20)));

    assertThat(NamedBackend.bySite(calls(CALLS))).isEqualTo(Map.of("alibaba-sg", CALLS));
    String routes = get("/debug/routes?site=jakarta&service=catalog").body();
    assertThat(routes).contains("\"clientSite\" : \"jakarta\"", "\"rttSource\" : \"nominal\"", "\"dataAgeMs\"");
    assertThat(get("/debug/latency").body()).contains("\"from\" : \"jakarta\"", "\"source\" : \"nominal\"");
  }

  @Test
  @Order(3)
  void halfOfJakartaBackSpillsGradually() {
    sites.jakarta().setCheck(ConsulSite.serviceCheckId("jakarta-0"), ConsulSite.Health.PASSING);
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> NamedBackend.bySite(calls(50)).containsKey("jakarta"));

    Map<String, Integer> split = NamedBackend.bySite(calls(1000));
    System.out.printf("half of jakarta healthy, 1000 calls through Envoy: %s%n", split);
    assertThat(split).containsOnlyKeys("jakarta", "alibaba-sg");
    assertThat(split.get("jakarta")).isBetween(650, 750);
  }

  @Test
  @Order(4)
  void metricsPassPromtool() throws Exception {
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("# TYPE");

    java.nio.file.Files.writeString(java.nio.file.Path.of("target", "control-plane-metrics.txt"), metrics.body());
    Process promtool = new ProcessBuilder(Tools.promtool().toString(), "check", "metrics").redirectErrorStream(true).start();
    try (var stdin = promtool.getOutputStream()) {
      stdin.write(metrics.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    String output = new String(promtool.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(promtool.exitValue()).as("promtool check metrics:%n%s", output).isZero();
  }

  /**
   * alibaba-sg's Consul stops answering: its last-known-good instances stay served and /debug/routes shows their
   * age; past its 5 s budget its mode (drop) applies and jakarta's spill moves to aws-sg.
   */
  @Test
  @Order(5)
  void aSiteWhoseConsulDiesIsServedLastKnownGoodThenItsModeApplies() throws Exception {
    sites.alibabaSg().close();

    await().atMost(Duration.ofSeconds(30)).until(() -> siteAgeMs("alibaba-sg") > 0);
    Map<String, Integer> stale = NamedBackend.bySite(calls(200));
    assertThat(stale).containsKey("alibaba-sg").doesNotContainKey("aws-sg");

    await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
        .until(() -> NamedBackend.bySite(calls(100)).containsKey("aws-sg"));
    Map<String, Integer> dropped = NamedBackend.bySite(calls(200));
    System.out.printf("alibaba-sg's Consul down: within budget %s, past it (drop) %s%n", stale, dropped);
    assertThat(dropped).containsOnlyKeys("jakarta", "aws-sg");
    assertThat(get("/debug/routes?site=jakarta&service=search").body())
        .as("alibaba-sg holds the only search instance: kept past its budget")
        .contains("\"site\" : \"alibaba-sg\"", "expired: kept, it holds the only available instances");
  }

  /**
   * After every route change above, /debug/proxies shows the jakarta sidecar with each of CDS, EDS, LDS and RDS ACKed
   * at the version last sent, none awaiting its ACK, and no NACK.
   */
  @Test
  @Order(6)
  void debugProxiesShowsTheSidecarWithEveryTypeAckedAndNoNack() throws Exception {
    List<String> core = List.of("type.googleapis.com/envoy.config.cluster.v3.Cluster",
        "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment",
        "type.googleapis.com/envoy.config.listener.v3.Listener",
        "type.googleapis.com/envoy.config.route.v3.RouteConfiguration");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode proxies = JSON.readTree(get("/debug/proxies?site=jakarta").body()).path("proxies");
      assertThat(proxies).hasSize(1);
      JsonNode sidecar = proxies.get(0);
      assertThat(sidecar.path("nodeId").asText()).isEqualTo("jakarta-sidecar"); // EnvoyProcess names the node
      assertThat(sidecar.path("role").asText()).isEqualTo("sidecar");
      assertThat(sidecar.path("locality").path("zone").asText()).isEqualTo("jakarta");
      assertThat(sidecar.path("types").findValuesAsText("typeUrl")).containsExactlyInAnyOrderElementsOf(core);
      for (JsonNode type : sidecar.path("types")) {
        assertThat(type.path("ackedVersion").isTextual()).as("%s ACKed", type).isTrue();
        assertThat(type.path("ackedVersion").asText()).isEqualTo(type.path("sentVersion").asText());
        assertThat(type.path("awaitingAck").asBoolean()).isFalse();
        assertThat(type.path("lastNack").isNull()).as("%s no NACK", type).isTrue();
      }
    });
    assertThat(JSON.readTree(get("/debug/proxies?site=aws-sg").body()).path("proxies")).isEmpty();
  }

  private static double siteAgeMs(String site) throws Exception {
    com.fasterxml.jackson.databind.JsonNode routes = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(get("/debug/routes?site=jakarta&service=catalog").body());
    for (com.fasterxml.jackson.databind.JsonNode s : routes.path("sites")) {
      if (s.path("site").asText().equals(site)) {
        return s.path("dataAgeMs").asDouble();
      }
    }
    return 0;
  }

  private static Map<String, Integer> calls(int n) {
    return NamedBackend.tally(channel, n);
  }


  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.adminPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

}
