package dev.selat.emulator.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.selat.emulator.ConsulEmulator;
import dev.selat.emulator.EmulatorConfig;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ACLs with default deny: tokens, policies, 403s and filtered answers. */
class AclTest {
  private static ConsulEmulator emulator;
  private static Client client;

  @BeforeAll
  static void start() {
    emulator = ConsulEmulator.start(EmulatorConfig.builder().nodeName("n1")
        .acl(new EmulatorConfig.Acl(true, "deny", Optional.of("root"))).build());
    client = new Client(emulator.httpAddress());
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  private static String tokenWith(String rules) throws Exception {
    ObjectMapper m = new ObjectMapper();
    String name = "p" + System.nanoTime();
    String policy = m.writeValueAsString(java.util.Map.of("Name", name, "Rules", rules));
    assertThat(client.send("PUT", "/v1/acl/policy", policy, "root").statusCode()).isEqualTo(200);
    HttpResponse<String> t = client.send("PUT", "/v1/acl/token",
        "{\"Policies\":[{\"Name\":\"" + name + "\"}]}", "root");
    return m.readTree(t.body()).get("SecretID").asText();
  }

  @Test
  void anonymous_defaultDeny_is403WithConsulsWording() throws Exception {
    HttpResponse<String> r = client.put("/v1/kv/x", "v");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).startsWith("Permission denied").contains("key:write");
  }

  @Test
  void unknownToken_is403AclNotFound() throws Exception {
    HttpResponse<String> r = client.send("GET", "/v1/kv/x", null, "no-such-secret");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("ACL not found");
  }

  @Test
  void managementToken_fromBearerHeaderOrQuery_isAccepted() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var bearer = http.send(java.net.http.HttpRequest.newBuilder(emulator.httpAddress().resolve("/v1/kv/b"))
        .header("Authorization", "Bearer root").PUT(java.net.http.HttpRequest.BodyPublishers.ofString("1")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(bearer.statusCode()).isEqualTo(200);
    assertThat(client.get("/v1/kv/b?raw&token=root").body()).isEqualTo("1");
  }

  @Test
  void keyPrefixReadToken_listsOnlyWhatItMayRead_andSaysResultsWereFiltered() throws Exception {
    client.send("PUT", "/v1/kv/pub/a", "1", "root");
    client.send("PUT", "/v1/kv/priv/b", "2", "root");
    String token = tokenWith("key_prefix \"pub/\" { policy = \"read\" }");
    HttpResponse<String> r = client.send("GET", "/v1/kv/?recurse", null, token);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("pub/a").doesNotContain("priv/b");
    assertThat(r.headers().firstValue("X-Consul-Results-Filtered-By-ACLs")).contains("true");
    assertThat(client.send("PUT", "/v1/kv/pub/a", "x", token).statusCode()).isEqualTo(403);
  }

  @Test
  void bootstrap_afterInitialManagementToken_isRefused() throws Exception {
    HttpResponse<String> r = client.put("/v1/acl/bootstrap", "");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("ACL bootstrap no longer allowed");
  }

  @Test
  void policy_badRules_is400NamingTheRule() throws Exception {
    HttpResponse<String> r = client.send("PUT", "/v1/acl/policy",
        "{\"Name\":\"bad\",\"Rules\":\"service \\\"web\\\" { policy = \\\"list\\\" }\"}", "root");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("service \"web\"");
  }
}
