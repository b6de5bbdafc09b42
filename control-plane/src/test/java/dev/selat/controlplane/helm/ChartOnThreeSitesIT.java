package dev.selat.controlplane.helm;

import static dev.selat.controlplane.helm.HelmChart.THREE_SITES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selat.controlplane.config.ConfigLoader;
import dev.selat.controlplane.config.SelatConfig;
import dev.selat.controlplane.server.ControlPlane;
import dev.selat.probe.ProbeAgent;
import dev.selat.probe.ProbeAgentConfig;
import dev.selat.probe.Ticker;
import dev.selat.testkit.Ports;
import dev.selat.testkit.ThreeSites;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart on three testkit Consul sites with ACLs on (default deny): the three-site values, with each site's Consul
 * address, the listen address and ports, and the secrets' mount path set on the command line, are rendered; the
 * ConfigMap's selat.yaml (the same bytes) goes to the control plane's own loader, with the environment the Deployment
 * gives the container, and the control plane started from it syncs every site with the tokens read from the files the
 * chart names, and is ready. The probe agents' ConfigMaps start real agents, which the control plane finds and
 * measures by. Then every metric the dashboard and the alert rules query is in the real scrapes.
 */
class ChartOnThreeSitesIT {
  private static final String TOKEN = UUID.randomUUID().toString();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  private static ThreeSites sites;
  private static List<JsonNode> docs;
  private static SelatConfig config;
  private static ControlPlane cp;
  private static final List<ProbeAgent> probes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    sites = ThreeSites.start(b -> b.acl("deny").managementToken(TOKEN));
    Path secrets = Files.createDirectories(dir.resolve("secrets"));
    List<String> args = new ArrayList<>(List.of("-f", THREE_SITES.toString(),
        "--set", "controlPlane.listenAddress=127.0.0.1",
        "--set", "controlPlane.ports.xds=" + Ports.freeTcpPort(),
        "--set", "controlPlane.ports.admin=" + Ports.freeTcpPort(),
        "--set", "controlPlane.secretsMountPath=" + secrets));
    for (String id : ThreeSites.IDS) {
      URI consul = sites.site(id).httpAddress();
      args.addAll(List.of("--set", "config.sites." + id + ".consul.addresses={" + consul.getHost() + ":" + consul.getPort() + "}"));
      // The files the chart's projected Secret volume would hold, at the path the chart mounts it.
      Files.writeString(Files.createDirectories(secrets.resolve(id)).resolve("token"), TOKEN + "\n");
    }
    docs = HelmChart.render(args.toArray(String[]::new));

    String yaml = HelmChart.configMapFile(docs, "selat-config", "selat.yaml");
    config = ConfigLoader.load(yaml, "ConfigMap selat-config", containerEnv("selat-control-plane"));
    cp = ControlPlane.start(config);
  }

  @AfterAll
  static void stop() {
    probes.forEach(ProbeAgent::close);
    if (cp != null) {
      cp.close();
    }
    if (sites != null) {
      sites.close();
    }
  }

  @Test
  void renderedConfig_controlPlaneSyncsEverySiteWithTheTokenFiles_andIsReady() throws Exception {
    assertThat(config.siteIds()).containsExactlyInAnyOrder("jakarta", "alibaba-sg", "aws-sg");
    assertThat(config.routing().tolerance()).as("SELAT_ROUTING_TOLERANCE from the Deployment's env").isEqualTo(Duration.ofMillis(3));
    assertThat(config.site("aws-sg").orElseThrow().consul().tokenFile()).isPresent();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      String metrics = get(cp.adminPort(), "/metrics");
      for (String id : ThreeSites.IDS) {
        assertThat(metrics).contains("selat_consul_site_sync_state{site=\"" + id + "\",state=\"synced\"} 1.0");
      }
    });
    await().atMost(Duration.ofSeconds(20)).until(cp::ready);
    assertThat(getStatus(cp.adminPort(), "/readyz")).isEqualTo(200);
  }

  @Test
  void renderedProbeConfigs_startAgentsTheControlPlaneMeasuresBy() throws Exception {
    startProbeAgents();

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(get(cp.adminPort(), "/debug/latency")).contains("\"source\" : \"probe\""));
  }

  @Test
  void dashboardAndAlerts_everyMetricTheyQuery_isInARealScrape() throws Exception {
    startProbeAgents();
    Set<String> scraped = new TreeSet<>();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      scraped.clear();
      scraped.addAll(ChartMonitoring.scrapedNames(get(cp.adminPort(), "/metrics")));
      for (ProbeAgent p : probes) {
        scraped.addAll(ChartMonitoring.scrapedNames(get(p.metricsAddress().getPort(), "/metrics")));
      }
      assertThat(scraped).contains("selat_probe_loss_ratio", "selat_consul_query_latency_seconds_count");
    });

    Set<String> queried = ChartMonitoring.metricNames(ChartMonitoring.dashboardQueries());
    queried.addAll(ChartMonitoring.metricNames(ChartMonitoring.alertExpressions()));

    assertThat(queried).hasSizeGreaterThan(15);
    assertThat(scraped).containsAll(queried);
  }

  /** One agent per site from its rendered probe.yaml; where the test's loopback world differs, set as its flags would. */
  private static synchronized void startProbeAgents() throws Exception {
    if (!probes.isEmpty()) {
      return;
    }
    List<String> discover = ThreeSites.IDS.stream().map(id -> sites.site(id).httpAddress().toString()).toList();
    for (String id : ThreeSites.IDS) {
      String name = "selat-probe-" + id;
      Path file = Files.writeString(dir.resolve(name + ".yaml"), HelmChart.configMapFile(docs, name, "probe.yaml"));
      ProbeAgentConfig.Draft draft = ProbeAgentConfig.Draft.fromYaml(file);
      assertThat(draft.site).isEqualTo(id);
      assertThat(draft.consul.register).isTrue();
      assertThat(Path.of(draft.consul.tokenFile).getParent().toString())
          .as("the token file lies where the Deployment mounts the Secret").isEqualTo(secretMountPath(name));
      draft.agentId = id + "-probe";
      draft.bindAddress = "127.0.0.1";
      draft.probePort = 0;
      draft.grpcPort = 0;
      draft.metricsPort = 0;
      draft.consul.address = sites.site(id).httpAddress().toString();
      draft.consul.discover = discover;
      draft.consul.discoverEveryMillis = 1000L;
      draft.consul.tokenFile = Files.writeString(dir.resolve(name + ".token"), TOKEN).toString();
      probes.add(ProbeAgent.start(draft.build(), Clock.systemUTC(), Ticker.system(),
          new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
    }
  }

  private static JsonNode container(String deployment) {
    return HelmChart.find(docs, "Deployment", deployment).path("spec").path("template").path("spec").path("containers").get(0);
  }

  /** The container's literal env values (valueFrom entries need a cluster). */
  private static Map<String, String> containerEnv(String deployment) {
    Map<String, String> env = new LinkedHashMap<>();
    container(deployment).path("env").forEach(e -> {
      if (e.has("value")) {
        env.put(e.path("name").asText(), e.path("value").asText());
      }
    });
    return env;
  }

  private static String secretMountPath(String deployment) {
    for (JsonNode m : container(deployment).path("volumeMounts")) {
      if (m.path("name").asText().equals("secrets")) {
        return m.path("mountPath").asText();
      }
    }
    throw new AssertionError(deployment + " mounts no secrets volume");
  }

  private static String get(int port, String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s", path).isEqualTo(200);
    return r.body();
  }

  private static int getStatus(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
