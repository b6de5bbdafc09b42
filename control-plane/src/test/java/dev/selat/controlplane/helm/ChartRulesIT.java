package dev.selat.controlplane.helm;

import static dev.selat.controlplane.helm.ChartMonitoring.ALERTS;
import static dev.selat.controlplane.helm.ChartMonitoring.ALERT_TESTS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.selat.testkit.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules pass {@code promtool check rules} and their unit tests ({@code promtool test rules}: each alert fires
 * on the series that should fire it, not before its {@code for}); every dashboard query is valid PromQL; the chart's
 * PrometheusRule carries the rules file unchanged. Whether the metrics they name exist is ChartOnThreeSitesIT's.
 */
class ChartRulesIT {

  @Test
  void alerts_promtoolCheckRules_passes() {
    ToolRun run = promtool("check", "rules", ALERTS.toString());

    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.stdout()).contains("SUCCESS: " + ChartMonitoring.alertExpressions().size() + " rules found");
  }

  @Test
  void alerts_promtoolTestRules_everyAlertFiresAsTested() throws IOException {
    ToolRun run = promtool("test", "rules", ALERT_TESTS.toString());

    assertThat(run.exitCode()).as(run.describe()).isZero();
    String tests = Files.readString(ALERT_TESTS);
    for (JsonNode group : new YAMLMapper().readTree(Files.readString(ALERTS)).path("groups")) {
      group.path("rules").forEach(r -> assertThat(tests)
          .as("a unit test for %s", r.path("alert").asText()).contains("alertname: " + r.path("alert").asText()));
    }
  }

  /** The dashboard's queries as recording rules: promtool parses each as PromQL. */
  @Test
  void dashboard_everyQuery_isValidPromQl(@TempDir Path dir) throws IOException {
    List<String> queries = ChartMonitoring.dashboardQueries();
    assertThat(queries).hasSizeGreaterThan(10);
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    for (int i = 0; i < queries.size(); i++) {
      // Grafana's $job variable becomes a regex that matches anything.
      String expr = queries.get(i).replace("$job", ".*");
      rules.append("      - record: dashboard:query").append(i).append("\n        expr: '").append(expr.replace("'", "''")).append("'\n");
    }
    Path file = Files.writeString(dir.resolve("dashboard-rules.yaml"), rules);

    ToolRun run = promtool("check", "rules", file.toString());

    assertThat(run.exitCode()).as(run.describe()).isZero();
  }

  @Test
  void prometheusRule_specIsTheRulesFile() throws IOException {
    JsonNode rule = HelmChart.find(HelmChart.render("--set", "alerts.enabled=true"), "PrometheusRule", HelmChart.RELEASE);

    assertThat(rule.path("spec")).isEqualTo(new YAMLMapper().readTree(Files.readString(ALERTS)));
  }

  @Test
  void dashboardConfigMap_holdsTheDashboardFile() throws IOException {
    String json = HelmChart.configMapFile(HelmChart.render(), HelmChart.RELEASE + "-dashboard", "selat.json");

    assertThat(json.strip()).isEqualTo(Files.readString(ChartMonitoring.DASHBOARD).strip());
  }

  private static ToolRun promtool(String... args) {
    return ToolRun.of(Tools.promtool(), List.of(args));
  }
}
