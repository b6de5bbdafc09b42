package dev.selat.emulator.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.selat.emulator.ConsulEmulator;
import dev.selat.emulator.EmulatorConfig;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP API of one in-memory emulator, over real HTTP. */
class EndpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ConsulEmulator emulator;
  private static Client client;

  @BeforeAll
  static void start() {
    emulator = ConsulEmulator.start(EmulatorConfig.builder().datacenter("jakarta").nodeName("n1")
        .kvMaxValueSize(1024).build());
    client = new Client(emulator.httpAddress());
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  @Test
  void catalogNodes_atStart_hasOwnNodeWithIndexAtLeastTwo() throws Exception {
    HttpResponse<String> r = client.get("/v1/catalog/nodes");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).get(0).get("Node").asText()).isEqualTo("n1");
    assertThat(Client.index(r)).isGreaterThanOrEqualTo(2);
    assertThat(r.headers().firstValue("X-Consul-KnownLeader")).contains("true");
    assertThat(r.headers().firstValue("X-Consul-Effective-Consistency")).contains("leader");
  }

  @Test
  void health_ownNode_hasPassingSerfHealth() throws Exception {
    JsonNode checks = json(client.get("/v1/health/node/n1"));
    assertThat(checks.get(0).get("CheckID").asText()).isEqualTo("serfHealth");
    assertThat(checks.get(0).get("Status").asText()).isEqualTo("passing");
  }

  @Test
  void blockingQuery_waitExpires_returnsSameIndex() throws Exception {
    long index = Client.index(client.get("/v1/catalog/service/nothing-here"));
    HttpResponse<String> r = client.get("/v1/catalog/service/nothing-here?index=" + index + "&wait=100ms");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Client.index(r)).isEqualTo(index);
    assertThat(r.body()).isEqualTo("[]");
  }

  @Test
  void blockingQuery_ownServiceChanges_returnsNewIndex() throws Exception {
    client.put("/v1/agent/service/register", "{\"Name\":\"blocky\",\"Port\":1}");
    long index = Client.index(client.get("/v1/health/service/blocky"));
    var pending = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return client.get("/v1/health/service/blocky?index=" + index + "&wait=30s");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    client.put("/v1/agent/service/register", "{\"Name\":\"blocky\",\"Port\":2}");
    HttpResponse<String> r = pending.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(Client.index(r)).isGreaterThan(index);
    assertThat(json(r).get(0).get("Service").get("Port").asInt()).isEqualTo(2);
  }

  @Test
  void queryParams_malformed_areRefusedNamingTheProblem() throws Exception {
    assertThat(client.get("/v1/catalog/nodes?index=abc").statusCode()).isEqualTo(400);
    HttpResponse<String> wait = client.get("/v1/catalog/nodes?index=1&wait=5parsecs");
    assertThat(wait.statusCode()).isEqualTo(400);
    assertThat(wait.body()).isEqualTo("Invalid wait time");
    assertThat(client.get("/v1/catalog/nodes?stale&consistent").body()).contains("conflicting semantics");
    HttpResponse<String> filter = client.get("/v1/catalog/nodes?filter=" + java.net.URLEncoder.encode("Node ~ x",
        java.nio.charset.StandardCharsets.UTF_8));
    assertThat(filter.statusCode()).isEqualTo(500); // go-bexpr's errors are 500s in Consul
    assertThat(filter.body()).contains("Failed to create boolean expression evaluator");
  }

  @Test
  void unknownEndpointAndWrongMethod_are404And405() throws Exception {
    assertThat(client.get("/v1/nonsense").statusCode()).isEqualTo(404);
    assertThat(client.send("DELETE", "/v1/catalog/nodes", null, null).statusCode()).isEqualTo(405);
  }

  @Test
  void kv_putGetRawRecurseAndMissing() throws Exception {
    assertThat(client.put("/v1/kv/app/a?flags=18446744073709551615", "hello").body()).isEqualTo("true");
    assertThat(client.get("/v1/kv/app/a?raw").body()).isEqualTo("hello");
    JsonNode entry = json(client.get("/v1/kv/app/a")).get(0);
    assertThat(entry.get("Value").asText()).isEqualTo("aGVsbG8=");
    assertThat(entry.get("Flags").asText()).isEqualTo("18446744073709551615");
    assertThat(json(client.get("/v1/kv/app/?recurse")).size()).isEqualTo(1);
    HttpResponse<String> missing = client.get("/v1/kv/app/none");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(Client.index(missing)).isPositive();
  }

  @Test
  void kv_badQuery_answersAsConsul() throws Exception {
    HttpResponse<String> conflict = client.put("/v1/kv/q?cas=0&acquire=abc", "v");
    assertThat(conflict.statusCode()).isEqualTo(400);
    assertThat(conflict.body()).isEqualTo("Conflicting flags: acquire=abc&cas=0\n");
    HttpResponse<String> flags = client.put("/v1/kv/q?flags=abc", "v");
    assertThat(flags.statusCode()).isEqualTo(500);
    assertThat(flags.body()).isEqualTo("strconv.ParseUint: parsing \"abc\": invalid syntax");
    assertThat(client.put("/v1/kv/", "v").body()).isEqualTo("Missing key name");
    assertThat(client.get("/v1/kv/q").statusCode()).isEqualTo(404);
  }

  @Test
  void kv_keysAtRootWithNothingUnderIt_isEmptyListNot404() throws Exception {
    try (ConsulEmulator fresh = ConsulEmulator.start(EmulatorConfig.builder().build())) {
      HttpResponse<String> r = new Client(fresh.httpAddress()).get("/v1/kv/?keys");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("[]");
    }
  }

  @Test
  void cachedQuery_secondTime_reportsCacheHitWithAgeZero() throws Exception {
    HttpResponse<String> first = client.get("/v1/catalog/service/consul?cached");
    HttpResponse<String> second = client.get("/v1/catalog/service/consul?cached");
    assertThat(first.headers().firstValue("X-Cache")).contains("MISS");
    assertThat(second.headers().firstValue("X-Cache")).contains("HIT");
    assertThat(second.headers().firstValue("Age")).contains("0");
  }

  @Test
  void catalogConnect_proxyForService_isListedUnderItsDestination() throws Exception {
    client.put("/v1/agent/service/register", "{\"Name\":\"web-proxy\",\"Kind\":\"connect-proxy\",\"Port\":9,"
        + "\"Proxy\":{\"DestinationServiceName\":\"web\"}}");
    JsonNode proxies = json(client.get("/v1/catalog/connect/web"));
    assertThat(proxies).hasSize(1);
    assertThat(proxies.get(0).get("ServiceName").asText()).isEqualTo("web-proxy");
    assertThat(json(client.get("/v1/health/connect/web")).get(0).get("Service").get("Kind").asText())
        .isEqualTo("connect-proxy");
  }

  @Test
  void kv_valueOverLimit_is413AndNothingStored() throws Exception {
    HttpResponse<String> r = client.put("/v1/kv/big", "x".repeat(1025));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("too large");
    assertThat(client.get("/v1/kv/big").statusCode()).isEqualTo(404);
  }

  @Test
  void txn_oneOperationFails_nothingIsStoredAndErrorsNameTheOperation() throws Exception {
    String body = "[{\"KV\":{\"Verb\":\"set\",\"Key\":\"txn/a\",\"Value\":\"YQ==\"}},"
        + "{\"KV\":{\"Verb\":\"cas\",\"Key\":\"txn/b\",\"Value\":\"Yg==\",\"Index\":999}}]";
    HttpResponse<String> r = client.put("/v1/txn", body);
    assertThat(r.statusCode()).isEqualTo(409);
    JsonNode errors = json(r).get("Errors");
    assertThat(errors.get(0).get("OpIndex").asInt()).isEqualTo(1);
    assertThat(errors.get(0).get("What").asText()).contains("txn/b");
    assertThat(client.get("/v1/kv/txn/a").statusCode()).isEqualTo(404);
  }

  @Test
  void agentRegister_wrongType_is400NamingTheField() throws Exception {
    HttpResponse<String> r = client.put("/v1/agent/service/register", "{\"Name\":\"x\",\"Port\":\"eighty\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Port");
    assertThat(client.get("/v1/agent/service/x").statusCode()).isEqualTo(404);
  }

  @Test
  void agentService_hashBlocking_returnsContentHash() throws Exception {
    client.put("/v1/agent/service/register", "{\"Name\":\"hashed\",\"Port\":1}");
    HttpResponse<String> r = client.get("/v1/agent/service/hashed");
    String hash = r.headers().firstValue("X-Consul-ContentHash").orElseThrow();
    assertThat(json(r).get("ContentHash").asText()).isEqualTo(hash);
    HttpResponse<String> same = client.get("/v1/agent/service/hashed?hash=" + hash + "&wait=50ms");
    assertThat(same.headers().firstValue("X-Consul-ContentHash")).contains(hash);

    // A query holding the current hash waits for a change; one answered early would still show Port 1.
    var changed = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return client.get("/v1/agent/service/hashed?hash=" + hash + "&wait=30s");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    client.put("/v1/agent/service/register", "{\"Name\":\"hashed\",\"Port\":2}");
    JsonNode after = json(changed.get(30, java.util.concurrent.TimeUnit.SECONDS));
    assertThat(after.get("Port").asInt()).isEqualTo(2);
    assertThat(after.get("ContentHash").asText()).isNotEqualTo(hash);
  }

  @Test
  void session_ttlOutOfRange_is500FromTheRpcLayer() throws Exception {
    HttpResponse<String> r = client.put("/v1/session/create", "{\"TTL\":\"1s\"}");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).contains("Invalid Session TTL");
  }

  @Test
  void snapshot_saveAndRestore_bringsBackKv() throws Exception {
    client.put("/v1/kv/snap", "before");
    byte[] snap = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        emulator.httpAddress().resolve("/v1/snapshot")).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
    client.put("/v1/kv/snap", "after");
    var restore = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        emulator.httpAddress().resolve("/v1/snapshot")).PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(snap))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(restore.statusCode()).isEqualTo(200);
    assertThat(client.get("/v1/kv/snap?raw").body()).isEqualTo("before");
  }
}
