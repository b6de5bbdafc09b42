package dev.selat.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code bin/selatctl} runs the packaged jar (Failsafe runs after {@code package}, so target/ and target/lib exist). */
class SelatctlLauncherIT {
  @Test
  void launcher_bootstrap_printsEnvoyBootstrapOnStdoutOnly() throws Exception {
    Process p = new ProcessBuilder(Path.of("bin", "selatctl").toString(), "bootstrap", "--site", "jakarta").start();
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    String out = read(p.getInputStream());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as(err.get()).isZero();
    assertThat(out).startsWith("node:").contains("selat_xds").contains("zone: jakarta");
    assertThat(err.get()).isEmpty();
  }

  @Test
  void launcher_usageError_exit2() throws Exception {
    Process p = new ProcessBuilder(Path.of("bin", "selatctl").toString(), "bootstrap").redirectErrorStream(true).start();
    String out = read(p.getInputStream());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(out).contains("--site");
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
