package dev.selat.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** With a data dir, an acknowledged write survives kill -9: the emulator runs as its own process, as users run it. */
class DurabilityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final int KV_WRITERS = 3;

  private final Map<String, String> acknowledgedKeys = new ConcurrentHashMap<>();
  private final Set<String> acknowledgedServices = ConcurrentHashMap.newKeySet();

  @Test
  void kill9DuringWrites_restartFromDataDir_everyAcknowledgedWritePresentAndIndexesKeepRising() throws Exception {
    Path dataDir = Path.of("target", "durability-" + System.nanoTime(), "data").toAbsolutePath();
    try (EmulatorLauncher emulator = EmulatorLauncher.start("durability", EmulatorLauncher.freePort(),
        List.of("-datacenter", "jakarta", "-node", "jakarta-1", "-data-dir", dataDir.toString()))) {
      URI base = emulator.httpAddress();
      try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int w = 0; w < KV_WRITERS; w++) {
          int writer = w;
          writers.submit(() -> writeKeysUntilRefused(base, writer));
        }
        writers.submit(() -> registerServicesUntilRefused(base));
        await("acknowledged writes under load").atMost(Duration.ofSeconds(60))
            .until(() -> acknowledgedKeys.size() >= 600 && acknowledgedServices.size() >= 100);
        long indexBeforeKill = get(base, "/v1/kv/load/?recurse").headers().firstValueAsLong("X-Consul-Index").orElseThrow();

        emulator.kill9();
        // The writers stop at their first refused request; what they had acknowledged until then must survive.
        Map<String, String> acknowledgedAtKill = Map.copyOf(acknowledgedKeys);
        Set<String> servicesAtKill = Set.copyOf(acknowledgedServices);

        emulator.restart();

        HttpResponse<String> kv = get(base, "/v1/kv/load/?recurse");
        assertThat(values(kv.body())).containsAllEntriesOf(acknowledgedAtKill);
        assertThat(serviceIds(get(base, "/v1/catalog/service/load").body())).containsAll(servicesAtKill);
        long recoveredIndex = kv.headers().firstValueAsLong("X-Consul-Index").orElseThrow();
        assertThat(recoveredIndex).isGreaterThanOrEqualTo(indexBeforeKill);

        put(base, "/v1/kv/after-restart", "x");
        JsonNode written = JSON.readTree(get(base, "/v1/kv/after-restart").body()).get(0);
        assertThat(written.get("ModifyIndex").asLong()).isGreaterThan(Math.max(recoveredIndex, maxModifyIndex(kv.body())));
        System.out.printf("kill -9 after %d acknowledged KV writes and %d registrations: all present after restart%n",
            acknowledgedAtKill.size(), servicesAtKill.size());
      }
    }
  }

  private void writeKeysUntilRefused(URI base, int writer) {
    for (int i = 0; ; i++) {
      String key = "load/w" + writer + "/" + i;
      String value = "value-" + writer + "-" + i;
      try {
        if (!put(base, "/v1/kv/" + key, value).body().trim().equals("true")) {
          return;
        }
      } catch (IOException | InterruptedException refused) {
        return;
      }
      acknowledgedKeys.put(key, value);
    }
  }

  private void registerServicesUntilRefused(URI base) {
    for (int i = 0; ; i++) {
      String id = "load-" + i;
      try {
        if (put(base, "/v1/agent/service/register",
            "{\"Name\": \"load\", \"ID\": \"" + id + "\", \"Address\": \"10.1.0.1\", \"Port\": " + (10_000 + i) + "}")
            .statusCode() != 200) {
          return;
        }
      } catch (IOException | InterruptedException refused) {
        return;
      }
      acknowledgedServices.add(id);
    }
  }

  private static Map<String, String> values(String entriesJson) throws IOException {
    Map<String, String> values = new HashMap<>();
    for (JsonNode entry : JSON.readTree(entriesJson)) {
      values.put(entry.get("Key").asText(),
          new String(Base64.getDecoder().decode(entry.get("Value").asText()), StandardCharsets.UTF_8));
    }
    return values;
  }

  private static long maxModifyIndex(String entriesJson) throws IOException {
    long max = 0;
    for (JsonNode entry : JSON.readTree(entriesJson)) {
      max = Math.max(max, entry.get("ModifyIndex").asLong());
    }
    return max;
  }

  private static Set<String> serviceIds(String catalogJson) throws IOException {
    Set<String> ids = new HashSet<>();
    JSON.readTree(catalogJson).forEach(instance -> ids.add(instance.get("ServiceID").asText()));
    return ids;
  }

  private static HttpResponse<String> put(URI base, String path, String body) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(URI base, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
