package dev.selat.controlplane.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.selat.testkit.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The chart in helm/selat and the real helm that ./selat setup installs: lint, template, and the rendered documents as
 * YAML trees (duplicate keys refused, as the API server's strict decoding does).
 */
final class HelmChart {
  /** Failsafe runs in the module's directory. */
  static final Path CHART = Path.of("..", "helm", "selat").toAbsolutePath().normalize();
  static final Path THREE_SITES = CHART.resolve("ci").resolve("three-sites-values.yaml");
  static final String RELEASE = "selat";

  private static final YAMLMapper YAML = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private HelmChart() {}

  static ToolRun helm(List<String> args) {
    return ToolRun.of(Tools.helm(), args);
  }

  /** {@code helm template selat helm/selat <args>}, which must succeed; its documents, empty ones left out. */
  static List<JsonNode> render(String... args) {
    List<String> command = new ArrayList<>(List.of("template", RELEASE, CHART.toString(), "--namespace", "mesh"));
    command.addAll(List.of(args));
    ToolRun run = helm(command);
    assertThat(run.exitCode()).as(run.describe()).isZero();
    return documents(run.stdout());
  }

  static List<JsonNode> documents(String yaml) {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("rendered manifests are not YAML: " + e.getMessage(), e);
    }
    return docs;
  }

  /** The one document of this kind and name. */
  static JsonNode find(List<JsonNode> docs, String kind, String name) {
    List<JsonNode> found = docs.stream()
        .filter(d -> d.path("kind").asText().equals(kind) && d.path("metadata").path("name").asText().equals(name))
        .toList();
    assertThat(found).as("%s %s among the rendered documents", kind, name).hasSize(1);
    return found.get(0);
  }

  /** A ConfigMap's file, exactly as rendered. */
  static String configMapFile(List<JsonNode> docs, String name, String key) {
    JsonNode data = find(docs, "ConfigMap", name).path("data").path(key);
    assertThat(data.isTextual()).as("ConfigMap %s has %s", name, key).isTrue();
    return data.asText();
  }
}
