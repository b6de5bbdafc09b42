package dev.selat.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.selat.testkit.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The real Envoy ({@code envoy --mode validate}) accepts every variant that {@code selatctl bootstrap} prints. */
class BootstrapEnvoyValidateIT {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "--site jakarta",
      "--site jakarta --service catalog --region id-jkt --delta",
      "--site alibaba-sg --service catalog --upstreams catalog,search,payments",
      "--site aws-sg --no-admin",
      "--site aws-sg --role gateway --xds-address localhost:18000 --admin-address [::1]:19001 --outbound-port 8443",
  })
  void envoyValidate_acceptsBootstrap(String flags) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("bootstrap"));
    args.addAll(List.of(flags.split(" ")));
    BootstrapCommandTest.Run r = BootstrapCommandTest.selatctl(args.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
    Path file = Files.writeString(dir.resolve("bootstrap.yaml"), r.out());

    Process envoy = new ProcessBuilder(Tools.envoy().toString(), "--mode", "validate", "-c", file.toString(),
        "--disable-hot-restart", "--log-level", "warn").redirectErrorStream(true).start();
    String output = new String(envoy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(envoy.waitFor(60, TimeUnit.SECONDS)).as("envoy --mode validate finished").isTrue();

    assertThat(envoy.exitValue()).as(output + "\n--- bootstrap:\n" + r.out()).isZero();
    assertThat(output).contains("OK");
  }
}
