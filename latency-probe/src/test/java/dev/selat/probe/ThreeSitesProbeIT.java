package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.selat.proto.v1.LatencyRow;
import dev.selat.proto.v1.LatencyServiceGrpc;
import dev.selat.proto.v1.WatchLatencyRequest;
import dev.selat.testkit.ConsulSite;
import dev.selat.testkit.PeerProcess;
import dev.selat.testkit.Ports;
import dev.selat.testkit.ThreeSites;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three probe agents, one per site, each registering in its own site's Consul (testkit's ThreeSites: consul-emulator,
 * or real consul when SELAT_CONSUL_BINARY names one) and discovering the others in all three.
 */
class ThreeSitesProbeIT {
  @RegisterExtension
  static final ThreeSites SITES = ThreeSites.extension(false);

  /** The links between the sites (DESIGN.md): a leased line, a VPN, and both for jakarta <-> aws-sg. */
  private static final Map<String, Map<String, String>> PATHS = Map.of(
      ThreeSites.JAKARTA, Map.of(ThreeSites.ALIBABA_SG, "leased-line", ThreeSites.AWS_SG, "leased-line+vpn"),
      ThreeSites.ALIBABA_SG, Map.of(ThreeSites.JAKARTA, "leased-line", ThreeSites.AWS_SG, "vpn"),
      ThreeSites.AWS_SG, Map.of(ThreeSites.JAKARTA, "leased-line+vpn", ThreeSites.ALIBABA_SG, "vpn"));

  private final List<ProbeAgent> agents = new ArrayList<>();

  @AfterEach
  void stopAgents() {
    agents.forEach(ProbeAgent::close);
  }

  /**
   * jakarta and alibaba-sg run in this JVM; aws-sg runs as its own process through the launcher (bin/selat-probe, the
   * jar and target/lib that {@code package} built), and is watched over real gRPC.
   */
  @Test
  void agents_registeredInTheirOwnSites_findAndProbeEachOtherOverTheRightPaths() throws Exception {
    for (String site : List.of(ThreeSites.JAKARTA, ThreeSites.ALIBABA_SG)) {
      agents.add(ProbeAgent.start(config(site).build(), Clock.systemUTC(), Ticker.system(),
          new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
    }
    int grpcPort = Ports.freeTcpPort();
    PeerProcess awsSg = PeerProcess.start("selat-probe-aws-sg", launcherCommand(ThreeSites.AWS_SG, grpcPort));
    try {
      await("aws-sg agent registered").atMost(Duration.ofSeconds(60)).until(() -> {
        assertThat(awsSg.isAlive()).as("selat-probe process alive; its log:%n%s", awsSg.logTail(20)).isTrue();
        return passingProbeSites(SITES.awsSg()).equals(List.of(ThreeSites.AWS_SG));
      });
      for (String site : List.of(ThreeSites.JAKARTA, ThreeSites.ALIBABA_SG)) {
        await("selat-probe passing in " + site + "'s Consul").atMost(Duration.ofSeconds(30))
            .until(() -> passingProbeSites(SITES.site(site)).equals(List.of(site)));
      }

      for (int i = 0; i < agents.size(); i++) {
        String site = ThreeSites.IDS.get(i);
        Prober prober = agents.get(i).prober();
        await(site + " probes both other sites").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(prober.estimates().join())
                .allSatisfy(e -> assertThat(e.estimate().samples()).isPositive())
                .extracting(e -> e.peer().siteId() + " over " + e.peer().path())
                .containsExactlyInAnyOrderElementsOf(expectedLinks(site)));
      }
      assertThat(watchUntilAllSampled(grpcPort)).as("aws-sg's row over gRPC")
          .containsExactlyInAnyOrderElementsOf(expectedLinks(ThreeSites.AWS_SG));

      awsSg.close();
      await("aws-sg deregistered on SIGTERM").atMost(Duration.ofSeconds(30))
          .until(() -> passingProbeSites(SITES.awsSg()).isEmpty());
    } finally {
      awsSg.close();
    }
  }

  @Test
  void agent_closed_deregistersFromItsSite() throws Exception {
    ProbeAgent jakarta = ProbeAgent.start(config(ThreeSites.JAKARTA).build(), Clock.systemUTC(), Ticker.system(),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    await("registered").atMost(Duration.ofSeconds(30))
        .until(() -> passingProbeSites(SITES.jakarta()).equals(List.of(ThreeSites.JAKARTA)));

    jakarta.close();

    assertThat(passingProbeSites(SITES.jakarta())).isEmpty();
  }

  @Test
  void registration_lostByConsul_isRegisteredAgain() throws Exception {
    try (ProbeAgent jakarta = ProbeAgent.start(config(ThreeSites.JAKARTA).build(), Clock.systemUTC(),
        Ticker.system(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
      await("registered").atMost(Duration.ofSeconds(30))
          .until(() -> passingProbeSites(SITES.jakarta()).equals(List.of(ThreeSites.JAKARTA)));

      // What a Consul agent restarted without its data directory, or an operator, does to the registration.
      String id = ConsulProbeDirectory.serviceId(config(ThreeSites.JAKARTA).agentId);
      HttpRequest.Builder deregister = HttpRequest.newBuilder(
          SITES.jakarta().httpAddress().resolve("/v1/agent/service/deregister/" + id))
          .PUT(HttpRequest.BodyPublishers.noBody());
      SITES.jakarta().managementToken().ifPresent(t -> deregister.header("X-Consul-Token", t));
      try (HttpClient http = HttpClient.newHttpClient()) {
        assertThat(http.send(deregister.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      }

      await("registered again").atMost(Duration.ofSeconds(30))
          .until(() -> passingProbeSites(SITES.jakarta()).equals(List.of(ThreeSites.JAKARTA)));
    }
  }

  private static ProbeAgentConfig.Draft config(String site) {
    ProbeAgentConfig.Draft draft = AgentConfigs.loopback(site);
    draft.paths.putAll(PATHS.get(site));
    draft.consul.address = SITES.site(site).httpAddress().toString();
    draft.consul.register = true;
    draft.consul.discoverEveryMillis = 500L;
    SITES.all().forEach(s -> draft.consul.discover.add(s.httpAddress().toString()));
    return draft;
  }

  /** The same configuration as flags of the launcher, on fixed free ports (the probe port serves UDP and TCP). */
  private static List<String> launcherCommand(String site, int grpcPort) {
    ProbeAgentConfig.Draft draft = config(site);
    List<String> command = new ArrayList<>(List.of(Path.of("bin/selat-probe").toAbsolutePath().toString(),
        "--site", site, "--agent-id", draft.agentId, "--interval-ms", draft.intervalMillis.toString(),
        "--probe-port", Integer.toString(Ports.freeTcpAndUdpPort()), "--grpc-port", Integer.toString(grpcPort),
        "--metrics-port", Integer.toString(Ports.freeTcpPort()), "--consul", draft.consul.address, "--register"));
    draft.paths.forEach((peer, path) -> command.addAll(List.of("--path", peer + "=" + path)));
    draft.consul.discover.forEach(consul -> command.addAll(List.of("--discover", consul)));
    return command;
  }

  private static List<String> expectedLinks(String site) {
    return PATHS.get(site).entrySet().stream().map(link -> link.getKey() + " over " + link.getValue()).toList();
  }

  /** Watches an agent's row until every peer in it has samples; returns "site over path" per estimate. */
  private static List<String> watchUntilAllSampled(int grpcPort) {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    try {
      Iterator<LatencyRow> rows = LatencyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
          .watch(WatchLatencyRequest.getDefaultInstance());
      while (true) {
        LatencyRow row = rows.next();
        if (row.getEstimatesCount() == 2 && row.getEstimatesList().stream().allMatch(e -> e.getSamples() > 0)) {
          return row.getEstimatesList().stream().map(e -> e.getTargetSite() + " over " + e.getPath()).toList();
        }
      }
    } finally {
      channel.shutdownNow();
    }
  }

  /** The sites of the passing selat-probe instances in one Consul, read over its HTTP API. */
  private static List<String> passingProbeSites(ConsulSite site) throws Exception {
    URI uri = site.httpAddress().resolve("/v1/health/service/selat-probe?passing=true");
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
      site.managementToken().ifPresent(t -> request.header("X-Consul-Token", t));
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode entries = new ObjectMapper().readTree(response.body());
      List<String> sites = new ArrayList<>();
      entries.forEach(e -> sites.add(e.path("Service").path("Meta").path("site").asText()));
      return sites.stream().sorted().collect(Collectors.toList());
    }
  }
}
