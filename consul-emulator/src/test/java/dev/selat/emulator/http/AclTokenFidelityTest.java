package dev.selat.emulator.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.selat.emulator.ConsulEmulator;
import dev.selat.emulator.EmulatorConfig;
import dev.selat.emulator.FakeClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ACL tokens as Consul's ACL.TokenSet/TokenRead answer: expiry, node identities, policy deletion. */
class AclTokenFidelityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FakeClock clock = new FakeClock();
  private ConsulEmulator emulator;
  private Client client;

  @BeforeEach
  void start() {
    emulator = ConsulEmulator.start(EmulatorConfig.builder().datacenter("jakarta").nodeName("n1")
        .acl(new EmulatorConfig.Acl(true, "deny", Optional.of("root"))).build(), clock);
    client = new Client(emulator.httpAddress());
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private HttpResponse<String> root(String method, String path, String body) throws Exception {
    return client.send(method, path, body, "root");
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void expirationTtl_setsExpirationTimeAndTheTokenIsGoneOnceItPasses() throws Exception {
    JsonNode t = json(root("PUT", "/v1/acl/token", "{\"Description\": \"short\", \"ExpirationTTL\": \"15m\"}"));
    assertThat(Instant.parse(t.get("ExpirationTime").asText()))
        .isEqualTo(Instant.parse(t.get("CreateTime").asText()).plus(Duration.ofMinutes(15)));
    assertThat(t.has("ExpirationTTL")).isFalse();
    String accessor = t.get("AccessorID").asText();
    String secret = t.get("SecretID").asText();
    assertThat(client.send("GET", "/v1/acl/token/self", null, secret).statusCode()).isEqualTo(200);

    clock.advance(Duration.ofMinutes(15));
    assertThat(client.send("GET", "/v1/acl/token/self", null, secret).body()).isEqualTo("ACL not found");
    assertThat(client.send("GET", "/v1/kv/x", null, secret).body()).isEqualTo("ACL not found");
    assertThat(root("GET", "/v1/acl/token/" + accessor, null).statusCode()).isEqualTo(403);
    assertThat(root("GET", "/v1/acl/tokens", null).body()).doesNotContain(accessor);
  }

  @Test
  void expiration_outOfConsulsBoundsOrBothForms_isRefusedWithConsulsWords() throws Exception {
    HttpResponse<String> both = root("PUT", "/v1/acl/token",
        "{\"ExpirationTTL\": \"15m\", \"ExpirationTime\": \"2026-01-01T00:30:00Z\"}");
    assertThat(both.statusCode()).isEqualTo(500);
    assertThat(both.body()).isEqualTo("Token Expiration TTL and Expiration Time cannot both be set");
    HttpResponse<String> tooShort = root("PUT", "/v1/acl/token", "{\"ExpirationTTL\": 10000000000}");
    assertThat(tooShort.body()).isEqualTo("ExpirationTime cannot be less than 1m0s in the future (was 10s)");
    HttpResponse<String> tooLong = root("PUT", "/v1/acl/token", "{\"ExpirationTime\": \"2026-01-03T00:00:00Z\"}");
    assertThat(tooLong.body()).isEqualTo("ExpirationTime cannot be more than 24h0m0s in the future (was 48h0m0s)");
    JsonNode at = json(root("PUT", "/v1/acl/token", "{\"ExpirationTime\": \"2026-01-01T01:00:00Z\"}"));
    assertThat(Instant.parse(at.get("ExpirationTime").asText())).isEqualTo(Instant.parse("2026-01-01T01:00:00Z"));
  }

  @Test
  void nodeIdentity_grantsWriteOnItsNodeAndReadOnServicesInItsDatacenterOnly() throws Exception {
    JsonNode t = json(root("PUT", "/v1/acl/token",
        "{\"NodeIdentities\": [{\"NodeName\": \"web-1\", \"Datacenter\": \"jakarta\"}]}"));
    assertThat(t.get("NodeIdentities").toString()).isEqualTo("[{\"NodeName\":\"web-1\",\"Datacenter\":\"jakarta\"}]");
    String secret = t.get("SecretID").asText();
    assertThat(client.send("PUT", "/v1/catalog/register", "{\"Node\": \"web-1\", \"Address\": \"10.0.0.1\"}", secret)
        .statusCode()).isEqualTo(200);
    assertThat(client.send("PUT", "/v1/catalog/register", "{\"Node\": \"web-2\", \"Address\": \"10.0.0.2\"}", secret)
        .statusCode()).isEqualTo(403);
    assertThat(client.send("GET", "/v1/catalog/service/consul", null, secret).body()).contains("\"n1\"");
    assertThat(root("GET", "/v1/acl/tokens?nodename=web-1", null).body()).contains(t.get("AccessorID").asText());

    String elsewhere = json(root("PUT", "/v1/acl/token",
        "{\"NodeIdentities\": [{\"NodeName\": \"web-1\", \"Datacenter\": \"singapore\"}]}")).get("SecretID").asText();
    assertThat(client.send("PUT", "/v1/catalog/register", "{\"Node\": \"web-1\", \"Address\": \"10.0.0.1\"}",
        elsewhere).statusCode()).isEqualTo(403);
    HttpResponse<String> noDc = root("PUT", "/v1/acl/token", "{\"NodeIdentities\": [{\"NodeName\": \"web-1\"}]}");
    assertThat(noDc.statusCode()).isEqualTo(500);
    assertThat(noDc.body()).isEqualTo("Node identity is missing the datacenter field on this token");
  }

  @Test
  void policyDelete_ofAnExistingPolicy_removesItAndItsLinks() throws Exception {
    JsonNode p = json(root("PUT", "/v1/acl/policy", "{\"Name\": \"kv-read\", \"Rules\": \"key_prefix \\\"\\\" { policy = \\\"read\\\" }\"}"));
    String id = p.get("ID").asText();
    JsonNode t = json(root("PUT", "/v1/acl/token", "{\"Policies\": [{\"ID\": \"" + id + "\"}]}"));
    HttpResponse<String> deleted = root("DELETE", "/v1/acl/policy/" + id, null);
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(deleted.body()).isEqualTo("true");
    assertThat(root("GET", "/v1/acl/policy/" + id, null).body()).isEqualTo("ACL policy not found");
    assertThat(json(root("GET", "/v1/acl/token/" + t.get("AccessorID").asText(), null)).get("Policies").isNull())
        .isTrue();
    assertThat(client.send("GET", "/v1/kv/x", null, t.get("SecretID").asText()).statusCode()).isEqualTo(403);
  }

  @Test
  void otherDatacenter_aclRead_isNoPathToDatacenter() throws Exception {
    HttpResponse<String> r = root("GET", "/v1/acl/tokens?dc=singapore", null);
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).isEqualTo("No path to datacenter");
  }
}
