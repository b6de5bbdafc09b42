package dev.selat.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The standalone launcher, as the README shows it and as HashiCorp's sdk/testutil calls {@code consul}. */
class LauncherIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void agentDev_readmeCommand_answersCatalogServices() throws Exception {
    try (EmulatorLauncher jakarta = EmulatorLauncher.start("readme", EmulatorLauncher.freePort(),
        List.of("-dev", "-datacenter", "jakarta"))) {
      HttpResponse<String> services = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(jakarta.httpAddress().resolve("/v1/catalog/services")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(services.statusCode()).isEqualTo(200);
      assertThat(services.headers().firstValueAsLong("X-Consul-Index").orElseThrow()).isPositive();
      assertThat(JSON.readTree(services.body()).isObject()).isTrue();
    }
  }

  @Test
  void versionJson_parsesAsConsulVersionAndSaysItIsSelatsEmulator() throws Exception {
    Process process = new ProcessBuilder(EmulatorLauncher.LAUNCHER.toString(), "version", "-format=json")
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(process.exitValue()).isZero();
    JsonNode version = JSON.readTree(out);
    assertThat(version.path("Version").asText()).matches("\\d+\\.\\d+\\.\\d+");
    assertThat(out.toLowerCase()).contains("selat");
  }
}
