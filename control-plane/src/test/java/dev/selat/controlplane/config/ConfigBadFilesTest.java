package dev.selat.controlplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file under {@code config/bad/} holds one mistake, and says in its header which field path must be refused
 * ({@code # expect: path}) and which environment to load it with ({@code # env: NAME=value}).
 */
class ConfigBadFilesTest {
  static Stream<Path> badFiles() throws IOException, URISyntaxException {
    Path dir = Path.of(ConfigBadFilesTest.class.getResource("/config/bad").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @Test
  void badFiles_atLeastFifteenDistinctMistakes() throws Exception {
    assertThat(badFiles().count()).isGreaterThanOrEqualTo(15);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void load_badFile_refusedWithItsFieldPathOnly(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    String expected = header(lines, "expect").orElseThrow(() -> new AssertionError(file + ": no '# expect:' header"));
    Map<String, String> env = new HashMap<>();
    header(lines, "env").ifPresent(e -> env.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1)));

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, env));

    assertThat(e).as(file.getFileName() + " must be refused").isNotNull();
    assertThat(e.problems()).extracting(ConfigException.Problem::field).as(e.getMessage()).containsExactly(expected);
    assertThat(e.getMessage()).contains("  " + expected + ": ");
    assertThat(e.getMessage()).doesNotContain("s3cr3t-token");
    header(lines, "env").ifPresent(v -> assertThat(e.getMessage()).contains(v.substring(0, v.indexOf('='))));
  }

  private static java.util.Optional<String> header(List<String> lines, String key) {
    return lines.stream().takeWhile(l -> l.startsWith("#")).filter(l -> l.startsWith("# " + key + ": "))
        .map(l -> l.substring(key.length() + 4).strip()).findFirst();
  }
}
