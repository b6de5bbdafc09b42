package dev.selat.controlplane.helm;

import static dev.selat.controlplane.helm.HelmChart.CHART;
import static dev.selat.controlplane.helm.HelmChart.THREE_SITES;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code helm lint --strict} and {@code helm template} (the helm ./selat setup installs) pass with the chart's defaults
 * and with the full three-site values file; the packaged chart leaves its test material (ci/) out.
 */
class ChartLintIT {

  @Test
  void lintStrict_defaults_passes() {
    ToolRun run = HelmChart.helm(List.of("lint", "--strict", CHART.toString()));

    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.stdout()).contains("1 chart(s) linted, 0 chart(s) failed").doesNotContain("[WARNING]", "[ERROR]");
  }

  @Test
  void lintStrict_threeSites_passes() {
    ToolRun run = HelmChart.helm(List.of("lint", "--strict", CHART.toString(), "-f", THREE_SITES.toString()));

    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.stdout()).contains("1 chart(s) linted, 0 chart(s) failed").doesNotContain("[WARNING]", "[ERROR]");
  }

  @Test
  void template_defaults_rendersTheControlPlaneWithoutProbeAgents() {
    List<JsonNode> docs = HelmChart.render();

    assertThat(kinds(docs)).contains("Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "NetworkPolicy")
        .doesNotContain("ServiceMonitor", "PrometheusRule", "PodMonitor", "Role", "ClusterRole", "RoleBinding");
    assertThat(docs.stream().filter(d -> d.path("kind").asText().equals("Deployment")).count()).isEqualTo(1);
  }

  @Test
  void template_threeSites_rendersEveryPart() {
    List<JsonNode> docs = HelmChart.render("-f", THREE_SITES.toString());

    assertThat(kinds(docs)).contains("Deployment", "Service", "ConfigMap", "Secret", "PodDisruptionBudget",
        "NetworkPolicy", "ServiceMonitor", "PodMonitor", "PrometheusRule", "ServiceAccount");
    assertThat(docs.stream().filter(d -> d.path("kind").asText().equals("Deployment")).count())
        .as("the control plane and one probe Deployment per site").isEqualTo(4);
  }

  @Test
  void package_leavesOutTheCiFolder(@TempDir Path dir) throws IOException {
    ToolRun run = HelmChart.helm(List.of("package", CHART.toString(), "--destination", dir.toString()));
    assertThat(run.exitCode()).as(run.describe()).isZero();

    List<String> entries = tarEntries(dir.resolve("selat-0.1.0.tgz"));

    assertThat(entries).contains("selat/Chart.yaml", "selat/values.schema.json", "selat/files/dashboard.json",
        "selat/files/alerts.yaml", "selat/templates/NOTES.txt");
    assertThat(entries).noneMatch(e -> e.startsWith("selat/ci/"));
  }

  private static List<String> kinds(List<JsonNode> docs) {
    return docs.stream().map(d -> d.path("kind").asText()).distinct().toList();
  }

  /** The names in a .tgz (ustar headers: the name is the first 100 bytes, the size octal at 124). */
  private static List<String> tarEntries(Path tgz) throws IOException {
    List<String> names = new ArrayList<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz))) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
        String name = new String(header, 0, 100, java.nio.charset.StandardCharsets.US_ASCII).replace("\0", "");
        String prefix = new String(header, 345, 155, java.nio.charset.StandardCharsets.US_ASCII).replace("\0", "");
        long size = Long.parseLong(new String(header, 124, 11, java.nio.charset.StandardCharsets.US_ASCII).trim(), 8);
        names.add(prefix.isEmpty() ? name : prefix + "/" + name);
        in.skipNBytes((size + 511) / 512 * 512);
      }
    }
    return names;
  }
}
