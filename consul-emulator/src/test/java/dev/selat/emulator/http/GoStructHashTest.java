package dev.selat.emulator.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selat.emulator.state.ServiceInstance;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The agent service ContentHash against Go. Every expected value was printed by a throwaway Go program
 * (not committed) that filled a github.com/hashicorp/consul/api v1.34.5 AgentService the way Consul's
 * buildAgentService does and called github.com/mitchellh/hashstructure
 * v0.0.0-20170609045927-2bca23e0e452 Hash(&svc, nil), formatted %x, as agent/agent_endpoint.go does.
 */
class GoStructHashTest {
  private static ServiceInstance foo(List<String> tags, Map<String, String> meta, JsonNode tagged, int passing,
      int warning, JsonNode connect, JsonNode extra) {
    return new ServiceInstance("n1", "", "foo", "foo", tags, "", tagged, meta, 8000, passing, warning, false,
        null, connect, extra, 0, 0);
  }

  private static ServiceInstance registration() {
    return foo(List.of("bar", "baz"), Map.of(), null, 1, 1, null, null);
  }

  private static String hash(ServiceInstance s, String dc) {
    return AgentServiceHash.of(Views.agentService(s, dc, false));
  }

  @Test
  void agentServiceHash_consulApiTestRegistration_isConsulsValue() {
    // TestAPI_AgentService (consul/api agent_test.go) expects exactly this.
    assertThat(hash(registration(), "dc1")).isEqualTo("1d5d568c14309fa8");
  }

  @Test
  void agentServiceHash_meta_isConsulsValue() {
    ServiceInstance s = foo(List.of("bar", "baz"), Map.of("env", "prod", "team", "mesh"), null, 1, 1, null, null);
    assertThat(hash(s, "dc1")).isEqualTo("c192a41bf34587ca");
  }

  @Test
  void agentServiceHash_taggedAddresses_isConsulsValue() {
    JsonNode tagged = Json.tree(Map.of("lan", Map.of("Address", "127.0.0.1", "Port", 8000),
        "wan", Map.of("Address", "127.0.0.2", "Port", 80)));
    ServiceInstance s = foo(List.of("bar", "baz"), Map.of(), tagged, 1, 1, null, null);
    assertThat(hash(s, "dc1")).isEqualTo("d67d0bb013690107");
  }

  @Test
  void agentServiceHash_weights_isConsulsValue() {
    ServiceInstance s = foo(List.of("bar", "baz"), Map.of(), null, 10, 0, null, null);
    assertThat(hash(s, "dc1")).isEqualTo("3c5096fe77c186f7");
  }

  @Test
  void agentServiceHash_emptyTags_isConsulsValue() {
    assertThat(hash(foo(List.of(), Map.of(), null, 1, 1, null, null), "dc1")).isEqualTo("5ac12175a4850700");
  }

  @Test
  void agentServiceHash_tagsReordered_isConsulsValueAndDiffers() {
    String reordered = hash(foo(List.of("baz", "bar"), Map.of(), null, 1, 1, null, null), "dc1");
    assertThat(reordered).isEqualTo("1591adc9adbc651b").isNotEqualTo(hash(registration(), "dc1"));
  }

  @Test
  void agentServiceHash_scalarFields_isConsulsValue() {
    ServiceInstance s = new ServiceInstance("n1", "mesh-gateway", "foo", "foo", List.of("bar", "baz"), "127.0.0.1",
        null, Map.of(), 8000, 1, 1, true, null, null,
        Json.tree(Map.of("SocketPath", "/tmp/sock", "PeerName", "p")), 0, 0);
    assertThat(hash(s, "dc1")).isEqualTo("bf4a2aac04641e36");
  }

  @Test
  void agentServiceHash_connectNative_isConsulsValue() {
    ServiceInstance s = foo(List.of("bar", "baz"), Map.of(), null, 1, 1, Json.tree(Map.of("Native", true)), null);
    assertThat(hash(s, "dc1")).isEqualTo("9692785319981a6a");
  }

  @Test
  void agentServiceHash_ports_isConsulsValue() {
    JsonNode extra = Json.tree(Map.of("Ports", List.of(Map.of("Name", "http", "Port", 8080, "Default", true),
        Map.of("Name", "grpc", "Port", 9090))));
    ServiceInstance s = foo(List.of("bar", "baz"), Map.of(), null, 1, 1, null, extra);
    assertThat(hash(s, "dc1")).isEqualTo("7ddd89c1bff4cf8f");
  }

  @Test
  void agentServiceHash_ignoredFields_doNotChangeIt() {
    // Namespace, Partition, Datacenter and Locality are hash:"ignore" in api.AgentService.
    JsonNode extra = Json.tree(Map.of("Namespace", "ns", "Partition", "part",
        "Locality", Map.of("Region", "r", "Zone", "z")));
    ServiceInstance s = foo(List.of("bar", "baz"), Map.of(), null, 1, 1, null, extra);
    assertThat(hash(s, "dc9")).isEqualTo("1d5d568c14309fa8");
  }

  @Test
  void goStructHash_uint64Indexes_isConsulsValue() {
    // The agent never sets them, but they are hashed fields: CreateIndex 7, ModifyIndex 9.
    Map<String, Object> view = Views.agentService(registration(), "dc1", false);
    view.put("CreateIndex", 7);
    view.put("ModifyIndex", 9);
    assertThat(AgentServiceHash.of(view)).isEqualTo("bd66aa0f4f48cf6a");
  }
}
