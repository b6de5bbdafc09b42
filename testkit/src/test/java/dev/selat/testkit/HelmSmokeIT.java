package dev.selat.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The real Helm (built from its Go module by ./selat setup) runs here. */
class HelmSmokeIT {
  @Test
  void helmVersion_printsPinnedVersion() throws Exception {
    Process helm = new ProcessBuilder(Tools.helm().toString(), "version", "--short").redirectErrorStream(true).start();
    String output = new String(helm.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();

    assertThat(helm.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(helm.exitValue()).as(output).isZero();
    System.out.println("helm version: " + output);
    assertThat(output).startsWith("v3.22.0");
  }
}
