package dev.selat.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed requests, each answered with the status code and message Consul 1.22 gives (the source for each row is
 * named: agent/*.go in github.com/hashicorp/consul), with the emulator still serving and nothing half-stored: every
 * table's content and index are the same after the request as before it.
 */
class BadInputIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final List<String> STATE = List.of("/v1/catalog/services", "/v1/catalog/nodes", "/v1/agent/services",
      "/v1/agent/checks", "/v1/health/state/any", "/v1/kv/?recurse", "/v1/session/list", "/v1/coordinate/nodes");
  private static final String UNKNOWN_SESSION = UUID.randomUUID().toString();
  private static ConsulEmulator emulator;

  /** One malformed request and Consul's answer: the status and a part of the message that names the problem. */
  record BadRequest(String name, String method, String path, String body, int status, String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<BadRequest> badRequests() {
    return Stream.of(
        // agent/http.go: Index, wrap (MethodNotAllowedError), parseWait, parseConsistency
        bad("unknown endpoint", "GET", "/v1/nope", null, 404, "Invalid URL path: not a recognized HTTP API endpoint"),
        bad("path outside /v1/", "GET", "/nope", null, 404, "ensure the path starts with '/v1/'"),
        bad("method not allowed on kv", "PATCH", "/v1/kv/app/config", "x", 405, "method PATCH not allowed"),
        bad("method not allowed on status", "POST", "/v1/status/leader", "", 405, "method POST not allowed"),
        bad("index not a number", "GET", "/v1/catalog/services?index=abc", null, 400, "Invalid index"),
        bad("index negative", "GET", "/v1/health/service/web?index=-1", null, 400, "Invalid index"),
        bad("wait not a duration", "GET", "/v1/catalog/services?index=1&wait=forever", null, 400, "Invalid wait time"),
        bad("stale with consistent", "GET", "/v1/kv/app/config?stale&consistent", null, 400,
            "Cannot specify ?stale with ?consistent, conflicting semantics."),
        bad("max_stale not a duration", "GET", "/v1/catalog/nodes?max_stale=abc", null, 400, "Invalid max_stale value \"abc\""),
        // agent/kvs_endpoint.go
        bad("kv put without key", "PUT", "/v1/kv/", "x", 400, "Missing key name"),
        bad("kv get without key", "GET", "/v1/kv/", null, 400, "Missing key name"),
        bad("kv delete without key", "DELETE", "/v1/kv/", null, 400, "Missing key name"),
        bad("kv cas not a number", "PUT", "/v1/kv/app/config?cas=abc", "x", 500, "parsing \"abc\": invalid syntax"),
        bad("kv flags not a number", "PUT", "/v1/kv/app/config?flags=xyz", "x", 500, "parsing \"xyz\": invalid syntax"),
        bad("kv delete cas not a number", "DELETE", "/v1/kv/app/config?cas=abc", null, 500, "parsing \"abc\": invalid syntax"),
        bad("kv cas with acquire", "PUT", "/v1/kv/app/config?cas=0&acquire=" + UNKNOWN_SESSION, "x", 400, "Conflicting flags"),
        bad("kv delete recurse with cas", "DELETE", "/v1/kv/app?recurse&cas=1", null, 400, "Conflicting flags"),
        bad("kv value over 512 KiB", "PUT", "/v1/kv/app/big", "x".repeat(512 * 1024 + 1), 413,
            "Request body(524289 bytes) too large, max size: 524288 bytes"),
        // agent/agent_endpoint.go
        bad("service register bad json", "PUT", "/v1/agent/service/register", "{\"Name\": ", 400, "Request decode failed"),
        bad("service register name of wrong type", "PUT", "/v1/agent/service/register", "{\"Name\": 123}", 400,
            "Request decode failed"),
        bad("service register port of wrong type", "PUT", "/v1/agent/service/register",
            "{\"Name\": \"web\", \"ID\": \"web-9\", \"Port\": \"eighty\"}", 400, "Request decode failed"),
        bad("service register without name", "PUT", "/v1/agent/service/register", "{\"ID\": \"web-9\", \"Port\": 80}", 400,
            "Missing service name"),
        bad("service register any address", "PUT", "/v1/agent/service/register",
            "{\"Name\": \"web\", \"ID\": \"web-9\", \"Address\": \"0.0.0.0\"}", 400, "Invalid service address"),
        bad("service register bad check status", "PUT", "/v1/agent/service/register",
            "{\"Name\": \"web\", \"ID\": \"web-9\", \"Check\": {\"TTL\": \"10s\", \"Status\": \"bogus\"}}", 400,
            "Status for checks must 'passing', 'warning', 'critical'"),
        bad("check register without name", "PUT", "/v1/agent/check/register", "{\"TTL\": \"10s\"}", 400, "Missing check name"),
        bad("check register bad status", "PUT", "/v1/agent/check/register",
            "{\"Name\": \"disk\", \"TTL\": \"10s\", \"Status\": \"bogus\"}", 400, "Bad check status"),
        bad("check register for unknown service", "PUT", "/v1/agent/check/register",
            "{\"Name\": \"disk\", \"TTL\": \"10s\", \"ServiceID\": \"nope\"}", 404, "ServiceID \"nope\" does not exist"),
        bad("check update bad status", "PUT", "/v1/agent/check/update/service:web-1", "{\"Status\": \"bogus\"}", 400,
            "Invalid check status: 'bogus'"),
        bad("check update bad json", "PUT", "/v1/agent/check/update/service:web-1", "{", 400, "Request decode failed"),
        bad("service maintenance without enable", "PUT", "/v1/agent/service/maintenance/web-1", "", 400,
            "Missing value for enable"),
        bad("service maintenance bad enable", "PUT", "/v1/agent/service/maintenance/web-1?enable=maybe", "", 400,
            "Invalid value for enable: \"maybe\""),
        bad("service maintenance unknown service", "PUT", "/v1/agent/service/maintenance/nope?enable=true", "", 404,
            "No service registered with ID \"nope\""),
        bad("node maintenance without enable", "PUT", "/v1/agent/maintenance", "", 400, "Missing value for enable"),
        bad("node maintenance bad enable", "PUT", "/v1/agent/maintenance?enable=perhaps", "", 400,
            "Invalid value for enable: \"perhaps\""),
        bad("agent service unknown", "GET", "/v1/agent/service/nope", null, 404, "unknown service ID: nope"),
        // agent/catalog_endpoint.go and agent/consul/catalog_endpoint.go (RPC errors answer 500)
        bad("catalog register bad json", "PUT", "/v1/catalog/register", "[1, 2", 400, "Request decode failed"),
        bad("catalog register node of wrong type", "PUT", "/v1/catalog/register", "{\"Node\": [\"n\"], \"Address\": \"10.0.0.9\"}",
            400, "Request decode failed"),
        bad("catalog register without node", "PUT", "/v1/catalog/register", "{\"Address\": \"10.0.0.9\"}", 500,
            "Must provide node"),
        bad("catalog register without address", "PUT", "/v1/catalog/register", "{\"Node\": \"db-1\"}", 500,
            "Must provide address if SkipNodeUpdate is not set"),
        bad("catalog register bad node id", "PUT", "/v1/catalog/register",
            "{\"Node\": \"db-1\", \"Address\": \"10.0.0.9\", \"ID\": \"not-a-uuid\"}", 500, "Bad node ID"),
        bad("catalog register service id without name", "PUT", "/v1/catalog/register",
            "{\"Node\": \"db-1\", \"Address\": \"10.0.0.9\", \"Service\": {\"ID\": \"db\"}}", 500,
            "Must provide service name (Service.Service) when service ID is provided"),
        bad("catalog deregister without node", "PUT", "/v1/catalog/deregister", "{}", 500, "Must provide node"),
        bad("catalog service without name", "GET", "/v1/catalog/service/", null, 400, "Missing service name"),
        bad("health service without name", "GET", "/v1/health/service/", null, 400, "Missing service name"),
        bad("health node without name", "GET", "/v1/health/node/", null, 400, "Missing node name"),
        // agent/session_endpoint.go and agent/consul/session_endpoint.go
        bad("session create bad json", "PUT", "/v1/session/create", "{\"TTL\": ", 400, "Request decode failed"),
        bad("session create bad behavior", "PUT", "/v1/session/create", "{\"Behavior\": \"explode\"}", 500,
            "Invalid Behavior setting 'explode'"),
        bad("session create ttl not a duration", "PUT", "/v1/session/create", "{\"TTL\": \"forever\"}", 500,
            "Session TTL 'forever' invalid"),
        bad("session create ttl too short", "PUT", "/v1/session/create", "{\"TTL\": \"1s\"}", 500,
            "Invalid Session TTL '1000000000', must be between [10s=24h0m0s]"),
        bad("session renew unknown", "PUT", "/v1/session/renew/" + UNKNOWN_SESSION, "", 404,
            "Session id '" + UNKNOWN_SESSION + "' not found"),
        bad("session destroy without id", "PUT", "/v1/session/destroy/", "", 400, "Missing session"),
        // agent/txn_endpoint.go
        bad("txn bad json", "PUT", "/v1/txn", "[{\"KV\": ", 400, "Failed to parse body"),
        bad("txn too many operations", "PUT", "/v1/txn", tooManyTxnOps(), 413, "Transaction contains too many operations"),
        // agent/acl_endpoint.go: ACLs are off on this agent
        bad("acl token create with acls disabled", "PUT", "/v1/acl/token", "{}", 401, "ACL support disabled"),
        bad("acl bootstrap with acls disabled", "PUT", "/v1/acl/bootstrap", "", 401, "ACL support disabled"),
        // go-bexpr through agent/agent_endpoint.go: the evaluator's error answers 500
        bad("filter not an expression", "GET", "/v1/agent/services?filter=" + encode("Service =="), null, 500,
            "Failed to create boolean expression evaluator"));
  }

  @BeforeAll
  static void start() throws Exception {
    emulator = ConsulEmulator.start(EmulatorConfig.builder().datacenter("jakarta").build());
    send("PUT", "/v1/agent/service/register",
        "{\"Name\": \"web\", \"ID\": \"web-1\", \"Port\": 80, \"Check\": {\"TTL\": \"10m\", \"Status\": \"passing\"}}");
    send("PUT", "/v1/kv/app/config", "v1");
    send("PUT", "/v1/session/create", "{\"Name\": \"leader\"}");
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void malformedRequest_answeredAsConsulDoes_nothingStored(BadRequest request) throws Exception {
    Map<String, String> before = state();

    HttpResponse<String> response = send(request.method(), request.path(), request.body());

    assertThat(response.statusCode()).as("status of %s %s", request.method(), request.path()).isEqualTo(request.status());
    assertThat(response.body()).as("message of %s %s", request.method(), request.path()).contains(request.message());
    assertThat(send("GET", "/v1/status/leader", null).statusCode()).as("still serving").isEqualTo(200);
    assertThat(state()).as("state after %s", request.name()).isEqualTo(before);
  }

  /** Every table's body and X-Consul-Index: a half-stored write changes one or the other. */
  private static Map<String, String> state() throws Exception {
    Map<String, String> state = new LinkedHashMap<>();
    for (String path : STATE) {
      HttpResponse<String> response = send("GET", path, null);
      state.put(path, response.headers().firstValue("X-Consul-Index").orElse("-") + " " + response.body());
    }
    return state;
  }

  private static HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.BodyPublisher publisher = body == null
        ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body);
    URI uri = URI.create(emulator.httpAddress().toString().replaceAll("/$", "") + path);
    return HTTP.send(HttpRequest.newBuilder(uri).method(method, publisher).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static BadRequest bad(String name, String method, String path, String body, int status, String message) {
    return new BadRequest(name, method, path, body, status, message);
  }

  private static String tooManyTxnOps() {
    return IntStream.range(0, 200)
        .mapToObj(i -> "{\"KV\": {\"Verb\": \"set\", \"Key\": \"txn/" + i + "\", \"Value\": \"eA==\"}}")
        .collect(Collectors.joining(", ", "[", "]"));
  }

  private static String encode(String query) {
    return URLEncoder.encode(query, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
