package dev.selat.controlplane.server;

import static dev.selat.controlplane.cli.BootstrapCommandTest.bootstrapOut;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.selat.controlplane.config.ConfigLoader;
import dev.selat.probe.ProbeAgent;
import dev.selat.testkit.ConsulSite;
import dev.selat.testkit.EnvoyProcess;
import dev.selat.testkit.NamedBackend;
import dev.selat.testkit.Ports;
import dev.selat.testkit.ThreeSites;
import dev.selat.testkit.ToxiproxyServer;
import dev.selat.testkit.UdpDelayRelay;
import dev.selat.testkit.WanPath;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Gateway mode with real Envoys: every site has a gateway Envoy (node role {@code gateway}) and a sidecar Envoy in
 * jakarta calls {@code catalog}; both kinds are configured by one control plane. Each site reaches another site's
 * gateway only through a Toxiproxy link that holds the path's delay (leased line 12 ms, VPN 3 ms, both 15 ms), which
 * is the address the config gives for that direction. Counted over real calls to gRPC backends that answer with
 * their name; the gateways' own stats show the calls passed them.
 *
 * <p>A probe agent in each site probes the other sites through their gateways (the gateway forwards its probe port,
 * TCP and UDP, to its own site's agent), over WAN paths with the same delays: the RTT that routes the traffic is the
 * RTT the traffic sees.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayIT {
  private static final Map<String, Integer> PATH_MS = Map.of(
      "jakarta>alibaba-sg", 12, "alibaba-sg>aws-sg", 3, "jakarta>aws-sg", 15);
  private static final int CALLS = 200;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static ThreeSites sites;
  private static ToxiproxyServer toxiproxy;
  private static final Map<String, NamedBackend> backends = new TreeMap<>();
  private static final Map<String, EnvoyProcess> gateways = new TreeMap<>();
  /** "client>gateway site" -> the Toxiproxy port the client's site reaches that gateway at. */
  private static final Map<String, Integer> links = new TreeMap<>();
  private static UdpDelayRelay relay;
  private static final List<ProbeAgent> agents = new ArrayList<>();
  private static ControlPlane cp;
  private static EnvoyProcess sidecar;
  private static ManagedChannel jakarta;

  @BeforeAll
  static void start() throws Exception {
    sites = ThreeSites.start(false);
    toxiproxy = ToxiproxyServer.start();
    for (String site : ThreeSites.IDS) {
      for (int i = 0; i < 2; i++) {
        NamedBackend backend = new NamedBackend(site + "-" + i);
        backends.put(site + "-" + i, backend);
        sites.site(site).registerService("catalog", site + "-" + i, "127.0.0.1", backend.port(), List.of(),
            Map.of("protocol", "grpc"), new ConsulSite.Check(Duration.ofMinutes(10), ConsulSite.Health.PASSING));
      }
    }
    Map<String, Integer> gatewayPorts = new TreeMap<>();
    Map<String, Integer> gatewayProbePorts = new TreeMap<>();
    ThreeSites.IDS.forEach(site -> gatewayPorts.put(site, Ports.freeTcpPort()));
    ThreeSites.IDS.forEach(site -> gatewayProbePorts.put(site, Ports.freeTcpAndUdpPort()));
    for (String client : ThreeSites.IDS) {
      for (String site : ThreeSites.IDS) {
        if (!client.equals(site)) {
          Proxy link = toxiproxy.proxy(client + "-to-" + site + "-gateway", "127.0.0.1:" + gatewayPorts.get(site));
          toxiproxy.addLatency(link, pathMs(client, site), 0);
          links.put(client + ">" + site, ToxiproxyServer.listenPort(link));
        }
      }
    }
    startProbes(gatewayProbePorts);
    cp = ControlPlane.start(ConfigLoader.load(config(), "GatewayIT", Map.of()));
    await().atMost(Duration.ofSeconds(30)).until(cp::ready);

    String xds = "127.0.0.1:" + cp.xdsPort();
    for (String site : ThreeSites.IDS) {
      gateways.put(site, EnvoyProcess.start(site + "-gateway", bootstrapOut("bootstrap", "--site", site, "--role",
          "gateway", "--no-admin", "--xds-address", xds, "--outbound-port", String.valueOf(gatewayPorts.get(site)),
          "--probe-port", String.valueOf(gatewayProbePorts.get(site)))));
    }
    int outbound = Ports.freeTcpPort();
    sidecar = EnvoyProcess.start("jakarta-sidecar", bootstrapOut("bootstrap", "--site", "jakarta", "--region", "id-jkt",
        "--upstreams", "catalog", "--no-admin", "--xds-address", xds, "--outbound-port", String.valueOf(outbound)));
    // jakarta's two instances, and one gateway endpoint for each other site.
    sidecar.awaitHealthyHosts("catalog", 4, Duration.ofSeconds(60));
    for (Map.Entry<String, EnvoyProcess> gateway : gateways.entrySet()) {
      gateway.getValue().awaitHealthyHosts("catalog", 2, Duration.ofSeconds(60));
      gateway.getValue().awaitHealthyHosts("selat-probe", 1, Duration.ofSeconds(60));
    }
    jakarta = ItMesh.sidecarChannel(outbound);
  }

  /**
   * A probe agent per site, registered in its site's Consul (where its gateway finds it); it knows the other sites
   * only as WAN paths to their gateways' probe ports.
   */
  private static void startProbes(Map<String, Integer> gatewayProbePorts) throws Exception {
    relay = UdpDelayRelay.start(20261203L);
    for (String site : ThreeSites.IDS) {
      Map<String, Integer> peers = new TreeMap<>();
      for (String peer : ThreeSites.IDS) {
        if (!peer.equals(site)) {
          WanPath path = WanPath.open(toxiproxy, relay, site + "-probes-" + peer,
              new InetSocketAddress("127.0.0.1", gatewayProbePorts.get(peer)));
          path.set(Duration.ofMillis(pathMs(site, peer)), Duration.ZERO);
          peers.put(peer, path.port());
        }
      }
      agents.add(ItMesh.probeAgent(site, sites.site(site).httpAddress(), 0, peers, peer -> "via-gateway"));
    }
  }

  /** Every site has a gateway; each other site reaches it at its own Toxiproxy link. */
  private static String config() {
    return ItMesh.sitesYaml(sites, site -> {
      StringBuilder gateway = new StringBuilder("    gateway:\n      from:\n");
      ThreeSites.IDS.stream().filter(client -> !client.equals(site)).forEach(client -> gateway
          .append("        - { site: ").append(client).append(", address: \"127.0.0.1:")
          .append(links.get(client + ">" + site)).append("\" }\n"));
      return gateway.toString();
    }) + ItMesh.LINKS_ROUTING_PORTS;
  }

  @AfterAll
  static void stop() throws Exception {
    ItMesh.closeAll(jakarta, sidecar, gateways, cp, agents, relay, toxiproxy, sites, backends);
  }

  @Test
  @Order(1)
  void localTrafficStaysLocal_andRemoteSitesAreTheirGateways() {
    assertThat(NamedBackend.bySite(NamedBackend.tally(jakarta, CALLS))).isEqualTo(Map.of("jakarta", CALLS));

    String clusters = sidecar.admin("/clusters");
    assertThat(clusters).as("the sidecar's catalog hosts").contains(
        "catalog::127.0.0.1:" + links.get("jakarta>alibaba-sg") + "::", "catalog::127.0.0.1:" + links.get("jakarta>aws-sg") + "::");
    backends.forEach((name, b) -> {
      if (!name.startsWith("jakarta")) {
        assertThat(clusters).as("no remote instance's own address").doesNotContain("catalog::127.0.0.1:" + b.port() + "::");
      }
    });
  }

  /**
   * jakarta's instances critical: alibaba-sg, reached through its gateway over the leased line; the calls pass that
   * gateway (its request counter) and take the link's delay. Then alibaba-sg's too: it is not used any more, aws-sg is.
   */
  @Test
  @Order(2)
  void crossSiteCallsReachTheRightInstancesThroughTheGateway() {
    setHealth("jakarta", ConsulSite.Health.CRITICAL);
    awaitAll("alibaba-sg");
    long before = gatewayRequests("alibaba-sg");
    long awsBefore = gatewayRequests("aws-sg");
    long start = System.nanoTime();
    Map<String, Integer> calls = NamedBackend.tally(jakarta, CALLS);
    double meanMs = (System.nanoTime() - start) / 1e6 / CALLS;
    assertThat(NamedBackend.bySite(calls)).isEqualTo(Map.of("alibaba-sg", CALLS));
    assertThat(calls).containsOnlyKeys("alibaba-sg-0", "alibaba-sg-1");
    assertThat(gatewayRequests("alibaba-sg") - before).as("requests through alibaba-sg's gateway").isEqualTo(CALLS);
    assertThat(gatewayRequests("aws-sg")).isEqualTo(awsBefore);
    assertThat(meanMs).as("mean call time over the 12 ms leased line, ms").isGreaterThanOrEqualTo(12);

    setHealth("alibaba-sg", ConsulSite.Health.CRITICAL);
    awaitAll("aws-sg");
    long awsNow = gatewayRequests("aws-sg");
    long alibabaNow = gatewayRequests("alibaba-sg");
    start = System.nanoTime();
    assertThat(NamedBackend.bySite(NamedBackend.tally(jakarta, CALLS))).isEqualTo(Map.of("aws-sg", CALLS));
    double awsMeanMs = (System.nanoTime() - start) / 1e6 / CALLS;
    assertThat(gatewayRequests("aws-sg") - awsNow).as("requests through aws-sg's gateway").isEqualTo(CALLS);
    assertThat(gatewayRequests("alibaba-sg")).as("a gateway with no healthy instance behind it").isEqualTo(alibabaNow);
    System.out.printf("through gateways from jakarta: alibaba-sg (12 ms link) mean %.1f ms per call, "
        + "aws-sg (15 ms) %.1f ms%n", meanMs, awsMeanMs);

    setHealth("alibaba-sg", ConsulSite.Health.PASSING);
    setHealth("jakarta", ConsulSite.Health.PASSING);
    awaitAll("jakarta");
  }

  /**
   * The probe RTT jakarta -> alibaba-sg (through alibaba-sg's gateway) and what the leased line adds to real calls
   * from jakarta's sidecar to alibaba-sg's instances (jakarta's own critical) agree within 2 ms. What the link adds is
   * the calls' p50 over it less their p50 over the same proxies with the link's delay at zero: the sidecar, Toxiproxy,
   * the gateway, gRPC and the backend cost the same both times.
   */
  @Test
  @Order(3)
  void probeRttAndDataPathAgree() throws Exception {
    // The first round trips of a path are slower (connections, class loading): the smoothed RTT settles in seconds.
    await("jakarta>alibaba-sg measured through the gateway").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          JsonNode cell = cell("jakarta", "alibaba-sg");
          assertThat(cell.path("source").asText()).isEqualTo("probe");
          assertThat(cell.path("rttMs").asDouble()).isBetween(12.0, 14.0);
        });
    double probe = cell("jakarta", "alibaba-sg").path("rttMs").asDouble();
    setHealth("jakarta", ConsulSite.Health.CRITICAL);
    awaitAll("alibaba-sg");
    List<Double> overLink = timedCalls("alibaba-sg-");
    Proxy leasedLine = toxiproxy.client().getProxy("jakarta-to-alibaba-sg-gateway");
    toxiproxy.setLatency(leasedLine, ToxicDirection.DOWNSTREAM, 0, 0);
    List<Double> noDelay = timedCalls("alibaba-sg-");
    toxiproxy.setLatency(leasedLine, ToxicDirection.DOWNSTREAM, 12, 0);
    double added = p(overLink, 50) - p(noDelay, 50);
    System.out.printf("jakarta -> alibaba-sg through its gateway, 12 ms leased line: probe RTT %.2f ms; calls p50 %.2f ms "
        + "(p10 %.2f, p90 %.2f), with the link's delay at 0 p50 %.2f ms: the link adds %.2f ms (%d calls each)%n",
        probe, p(overLink, 50), p(overLink, 10), p(overLink, 90), p(noDelay, 50), added, CALLS);
    assertThat(Math.abs(added - probe)).as("|the link's share of the call p50 - probe RTT|, ms").isLessThanOrEqualTo(2.0);
    setHealth("jakarta", ConsulSite.Health.PASSING);
    awaitAll("jakarta");
  }

  /** {@link #CALLS} calls from jakarta's sidecar, each answered by a backend named {@code prefix*}: their times, sorted. */
  private static List<Double> timedCalls(String prefix) {
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      long start = System.nanoTime();
      assertThat(NamedBackend.who(jakarta)).startsWith(prefix);
      ms.add((System.nanoTime() - start) / 1e6);
    }
    ms.sort(null);
    return ms;
  }

  private static double p(List<Double> sorted, int percentile) {
    return sorted.get(sorted.size() * percentile / 100);
  }

  private static JsonNode cell(String from, String to) throws Exception {
    HttpResponse<String> latency = HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + cp.adminPort() + "/debug/latency")).build(), HttpResponse.BodyHandlers.ofString());
    for (JsonNode c : new ObjectMapper().readTree(latency.body()).path("cells")) {
      if (c.path("from").asText().equals(from) && c.path("to").asText().equals(to)) {
        return c;
      }
    }
    throw new AssertionError("no cell " + from + ">" + to + " in " + latency.body());
  }

  private static long gatewayRequests(String site) {
    return gateways.get(site).statValue("http.gateway.downstream_rq_total");
  }

  private static int pathMs(String a, String b) {
    Integer ms = PATH_MS.get(a + ">" + b);
    return ms != null ? ms : PATH_MS.get(b + ">" + a);
  }

  private static void setHealth(String site, ConsulSite.Health health) {
    for (int i = 0; i < 2; i++) {
      sites.site(site).setCheck(ConsulSite.serviceCheckId(site + "-" + i), health);
    }
  }

  private static void awaitAll(String site) {
    await(site + " takes every call").atMost(Duration.ofSeconds(60)).ignoreExceptions()
        .until(() -> NamedBackend.bySite(NamedBackend.tally(jakarta, 20)).equals(Map.of(site, 20)));
  }

}
