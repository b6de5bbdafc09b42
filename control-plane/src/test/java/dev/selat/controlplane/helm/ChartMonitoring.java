package dev.selat.controlplane.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The chart's Grafana dashboard and alert rules (helm/selat/files/), read as their tools read them. */
final class ChartMonitoring {
  static final Path DASHBOARD = HelmChart.CHART.resolve("files").resolve("dashboard.json");
  static final Path ALERTS = HelmChart.CHART.resolve("files").resolve("alerts.yaml");
  static final Path ALERT_TESTS = HelmChart.CHART.resolve("ci").resolve("alerts-test.yaml");

  /** Selat's own metrics all start so; a name in a query is what follows up to the first non-name character. */
  private static final Pattern SELAT_METRIC = Pattern.compile("\\bselat_[a-z0-9_]+");
  /** Where a query names labels, not metrics: label matchers and by/without clauses (selat_dev_site is a label). */
  private static final Pattern LABEL_PLACES = Pattern.compile("\\{[^}]*}|\\b(by|without)\\s*\\([^)]*\\)");
  /** A sample line of the Prometheus text format: its metric name. */
  private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

  private ChartMonitoring() {}

  /** Every panel target's PromQL, rows' nested panels included. */
  static List<String> dashboardQueries() {
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : read(new ObjectMapper(), DASHBOARD).path("panels")) {
      collect(panel, exprs);
    }
    return exprs;
  }

  /** Every alert's expression. */
  static List<String> alertExpressions() {
    List<String> exprs = new ArrayList<>();
    for (JsonNode group : read(new YAMLMapper(), ALERTS).path("groups")) {
      group.path("rules").forEach(r -> exprs.add(r.path("expr").asText()));
    }
    return exprs;
  }

  static Set<String> metricNames(List<String> queries) {
    Set<String> names = new TreeSet<>();
    for (String q : queries) {
      Matcher m = SELAT_METRIC.matcher(LABEL_PLACES.matcher(q).replaceAll(" "));
      while (m.find()) {
        names.add(m.group());
      }
    }
    return names;
  }

  /** The metric names with at least one sample in a scrape. */
  static Set<String> scrapedNames(String scrape) {
    Set<String> names = new TreeSet<>();
    Matcher m = SAMPLE.matcher(scrape);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static void collect(JsonNode panel, List<String> exprs) {
    panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
    panel.path("panels").forEach(p -> collect(p, exprs));
  }

  private static JsonNode read(ObjectMapper mapper, Path file) {
    try {
      return mapper.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
