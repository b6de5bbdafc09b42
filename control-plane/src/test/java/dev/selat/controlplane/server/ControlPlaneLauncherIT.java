package dev.selat.controlplane.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.testkit.ConsulSite;
import dev.selat.testkit.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/selat-control-plane} runs the packaged jar: refuses bad config with its field path, serves, exits 0 on SIGTERM. */
class ControlPlaneLauncherIT {
  private static final Path LAUNCHER = Path.of("bin", "selat-control-plane");

  @TempDir
  Path dir;

  @Test
  void badConfig_exit2_namingTheField() throws Exception {
    Path config = Files.writeString(dir.resolve("selat.yaml"), """
        sites:
          - id: jakarta
            region: id-jkt
            consul: { addresses: ["localhost"] }
        """);
    Process p = new ProcessBuilder(LAUNCHER.toString(), "--config", config.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as(out).isEqualTo(2);
    assertThat(out).contains("sites[0].consul.addresses[0]");
  }

  @Test
  void servesThenExits0OnSigterm() throws Exception {
    try (ConsulSite consul = ConsulSite.start(ConsulSite.Options.builder("jakarta").build())) {
      int admin = Ports.freeTcpPort();
      Path config = Files.writeString(dir.resolve("selat.yaml"), """
          sites:
            - id: jakarta
              region: id-jkt
              consul: { addresses: ["%s:%d"] }
          ports:
            xds: { address: 127.0.0.1, port: %d }
            admin: { address: 127.0.0.1, port: %d }
          """.formatted(consul.httpAddress().getHost(), consul.httpAddress().getPort(), Ports.freeTcpPort(), admin));
      Path log = dir.resolve("control-plane.log");
      // A plain child, not testkit's PeerProcess: the test needs the exit code of the launched JVM.
      Process cp = new ProcessBuilder(LAUNCHER.toAbsolutePath().toString(), "--config", config.toString())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try (HttpClient http = HttpClient.newHttpClient()) {
        HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/readyz")).build();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> http.send(readyz, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
      } finally {
        cp.destroy();
      }
      assertThat(cp.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(log);
      assertThat(cp.exitValue()).as(output).isZero();
      assertThat(output).contains("ready: every site synced", "control plane stopping").doesNotContain("Exception");
    }
  }
}
