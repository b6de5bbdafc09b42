package dev.selat.consul.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The conformance run in the build: conformance/run.sh runs HashiCorp's consul/api tests against this emulator and
 * fails when a test of expected-pass.txt fails or a test is on neither list (see conformance/README.md).
 */
class ConformanceIT {

  @Test
  void consulApiSuite_everyTestPassesOrIsExcludedWithAReason() throws Exception {
    Path log = Files.createDirectories(Path.of("target", "peer-logs")).resolve("conformance.log");
    Process run = new ProcessBuilder(Path.of("conformance", "run.sh").toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    assertThat(run.waitFor(25, TimeUnit.MINUTES)).as("conformance run within 25 minutes").isTrue();

    List<String> lines = Files.readAllLines(log);
    lines.stream().filter(l -> !l.startsWith("PROBLEM:")).forEach(System.out::println);
    assertThat(run.exitValue())
        .as("%s; problems in %s, details in conformance/FAILURES.md", lines.getLast(), log)
        .isZero();
  }
}
