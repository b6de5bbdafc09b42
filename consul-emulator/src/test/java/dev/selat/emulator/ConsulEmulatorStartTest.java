package dev.selat.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConsulEmulator#start}: its clock, and what it leaves behind when it fails half-way. */
class ConsulEmulatorStartTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path dataDir;

  private static HttpResponse<String> send(URI base, String method, String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).method(method, body == null
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> threadsOf(String datacenter) {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.startsWith("consul-emulator-" + datacenter)).toList();
  }

  @Test
  void start_httpPortTakenAfterTheLogOpened_releasesDataDirAndThreadsAndAFreePortStarts() throws Exception {
    EmulatorConfig.Builder config = EmulatorConfig.builder().datacenter("halfstart").dataDir(dataDir);
    try (ConsulEmulator first = ConsulEmulator.start(config.httpPort(0).build())) {
      assertThat(send(first.httpAddress(), "PUT", "/v1/kv/kept", "v").statusCode()).isEqualTo(200);
    }
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(() -> ConsulEmulator.start(config.httpPort(taken.getLocalPort()).build()))
          .hasMessageContaining("Failed to bind");
    }
    // Jetty's pool threads of the failed start end (asynchronously); none stays behind.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(threadsOf("halfstart")).isEmpty());

    // The failed start closed the data dir's log (and its lock): a start on a free port gets it, state intact.
    try (ConsulEmulator again = ConsulEmulator.start(config.httpPort(0).build())) {
      JsonNode kv = JSON.readTree(send(again.httpAddress(), "GET", "/v1/kv/kept", null).body());
      assertThat(kv.get(0).get("Key").asText()).isEqualTo("kept");
    }
  }

  @Test
  void start_dataDirOfARunningEmulator_failsAndTheRunningOneKeepsServing() throws Exception {
    EmulatorConfig.Builder config = EmulatorConfig.builder().datacenter("twice").dataDir(dataDir).httpPort(0);
    try (ConsulEmulator running = ConsulEmulator.start(config.build())) {
      assertThatThrownBy(() -> ConsulEmulator.start(config.build())).hasMessageContaining("in use");
      assertThat(send(running.httpAddress(), "PUT", "/v1/kv/k", "v").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void start_withAClock_timestampsAndTtlDeadlinesFollowIt() throws Exception {
    FakeClock clock = new FakeClock();
    try (ConsulEmulator e = ConsulEmulator.start(EmulatorConfig.builder().datacenter("clocked").build(), clock)) {
      JsonNode metrics = JSON.readTree(send(e.httpAddress(), "GET", "/v1/agent/metrics", null).body());
      assertThat(metrics.get("Timestamp").asText()).isEqualTo(clock.instant().toString());

      assertThat(send(e.httpAddress(), "PUT", "/v1/agent/check/register",
          "{\"Name\": \"beat\", \"TTL\": \"10s\", \"Status\": \"passing\"}").statusCode()).isEqualTo(200);
      clock.advance(Duration.ofSeconds(11));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(JSON.readTree(
          send(e.httpAddress(), "GET", "/v1/agent/checks", null).body()).get("beat").get("Status").asText())
          .isEqualTo("critical"));
    }
  }
}
