package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.testkit.Tools;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The agent's /metrics, as served over HTTP, passes Prometheus's own linter ({@code promtool check metrics}). */
class MetricsPromtoolIT {

  @Test
  void metrics_agentProbingAPeer_passPromtoolCheck() throws Exception {
    try (ProbeAgent awsSg = ProbeAgent.start(AgentConfigs.loopback("aws-sg").build(), Clock.systemUTC(),
            Ticker.system(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        ProbeAgent jakarta = ProbeAgent.start(withPeer(awsSg.probeAddress().getPort()), Clock.systemUTC(),
            Ticker.system(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
      URI metrics = URI.create("http://127.0.0.1:" + jakarta.metricsAddress().getPort() + "/metrics");
      await().atMost(Duration.ofSeconds(30)).until(() -> scrape(metrics).contains("selat_probe_stale{"));
      String body = scrape(metrics);

      Process promtool = new ProcessBuilder(Tools.promtool().toString(), "check", "metrics")
          .redirectErrorStream(true).start();
      try (var stdin = promtool.getOutputStream()) {
        stdin.write(body.getBytes(StandardCharsets.UTF_8));
      }
      String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();

      assertThat(promtool.exitValue()).as("promtool check metrics:%n%s", output).isZero();
      assertThat(body).contains("selat_probe_rtt_seconds_bucket{path=\"leased-line\",peer=\"127.0.0.1:"
          + awsSg.probeAddress().getPort() + "\",peer_site=\"aws-sg\",le=");
    }
  }

  private static ProbeAgentConfig withPeer(int port) {
    ProbeAgentConfig.Draft draft = AgentConfigs.loopback("jakarta");
    ProbeAgentConfig.Draft.StaticPeerDraft peer = new ProbeAgentConfig.Draft.StaticPeerDraft();
    peer.site = "aws-sg";
    peer.address = "127.0.0.1";
    peer.port = port;
    draft.peers.add(peer);
    draft.paths.put("aws-sg", "leased-line");
    return draft.build();
  }

  private static String scrape(URI uri) throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return response.body();
    }
  }
}
