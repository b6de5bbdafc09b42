package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.selat.testkit.ConsulSite;
import dev.selat.testkit.ThreeSites;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  @Test
  void agents_registeredInTheirOwnSites_findAndProbeEachOtherOverTheRightPaths() throws Exception {
    for (String site : ThreeSites.IDS) {
      agents.add(ProbeAgent.start(config(site), Clock.systemUTC(), Ticker.system(),
          new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
    }

    for (String site : ThreeSites.IDS) {
      assertThat(passingProbeSites(SITES.site(site))).as("selat-probe passing in %s's Consul", site)
          .containsExactly(site);
    }
    for (int i = 0; i < agents.size(); i++) {
      String site = ThreeSites.IDS.get(i);
      Prober prober = agents.get(i).prober();
      await(site + " probes both other sites").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(prober.estimates().join())
              .allSatisfy(e -> assertThat(e.estimate().samples()).isPositive())
              .extracting(e -> e.peer().siteId() + " over " + e.peer().path())
              .containsExactlyInAnyOrderElementsOf(PATHS.get(site).entrySet().stream()
                  .map(link -> link.getKey() + " over " + link.getValue()).toList()));
    }
  }

  @Test
  void agent_closed_deregistersFromItsSite() throws Exception {
    ProbeAgent jakarta = ProbeAgent.start(config(ThreeSites.JAKARTA), Clock.systemUTC(), Ticker.system(),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    assertThat(passingProbeSites(SITES.jakarta())).containsExactly(ThreeSites.JAKARTA);

    jakarta.close();

    assertThat(passingProbeSites(SITES.jakarta())).isEmpty();
  }

  private static ProbeAgentConfig config(String site) {
    ProbeAgentConfig.Draft draft = AgentConfigs.loopback(site);
    draft.paths.putAll(PATHS.get(site));
    draft.consul.address = SITES.site(site).httpAddress().toString();
    draft.consul.register = true;
    draft.consul.discoverEveryMillis = 500L;
    SITES.all().forEach(s -> draft.consul.discover.add(s.httpAddress().toString()));
    return draft.build();
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
