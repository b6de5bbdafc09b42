package dev.selat.controlplane.helm;

import static dev.selat.controlplane.helm.HelmChart.CHART;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in helm/selat/ci/bad/ is refused by {@code helm template}, and the message names the field: each file says
 * what its message must contain in {@code # expect:} lines. At least ten are refused by values.schema.json itself; the
 * others by the chart's cross-field checks (which the schema cannot express).
 */
class ChartSchemaIT {
  private static final Path BAD = CHART.resolve("ci").resolve("bad");
  private static final String SCHEMA_REFUSAL = "values don't meet the specifications of the schema";

  static Stream<Path> badValues() throws IOException {
    try (Stream<Path> files = Files.list(BAD)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badValues")
  void template_badValues_refusedNamingTheField(Path values) throws IOException {
    List<String> expected = expectations(values);
    assertThat(expected).as("%s says what its message must contain (# expect: ...)", values.getFileName()).isNotEmpty();

    ToolRun run = HelmChart.helm(List.of("template", HelmChart.RELEASE, CHART.toString(), "-f", values.toString()));

    assertThat(run.exitCode()).as(run.describe()).isNotZero();
    assertThat(run.stderr()).as(run.describe()).contains(expected);
  }

  @Test
  void schema_refusesAtLeastTenOfTheBadFiles() throws IOException {
    long bySchema = badValues()
        .map(v -> HelmChart.helm(List.of("template", HelmChart.RELEASE, CHART.toString(), "-f", v.toString())))
        .filter(run -> run.exitCode() != 0 && run.stderr().contains(SCHEMA_REFUSAL))
        .count();

    assertThat(bySchema).isGreaterThanOrEqualTo(10);
  }

  private static List<String> expectations(Path values) throws IOException {
    return Files.readAllLines(values).stream()
        .filter(l -> l.startsWith("# expect: "))
        .map(l -> l.substring("# expect: ".length()).strip())
        .toList();
  }
}
