package dev.selat.emulator.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.selat.emulator.ConsulEmulator;
import dev.selat.emulator.EmulatorConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Answers checked against Consul's (agent/agent_endpoint.go, agent.go, structs), tried as a client would. */
class FidelityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ConsulEmulator emulator;
  private static Client client;

  @BeforeAll
  static void start() {
    emulator = ConsulEmulator.start(EmulatorConfig.builder().datacenter("jakarta").nodeName("n1").build());
    client = new Client(emulator.httpAddress());
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  @AfterEach
  void healthyLeader() {
    emulator.leader().healthy();
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static List<String> keys(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void agentRegister_taggedAddressesInAnyKeyCase_comeBackAsServiceAddressesEverywhere() throws Exception {
    assertThat(client.put("/v1/agent/service/register", """
        {"name": "web", "id": "web-1", "address": "10.0.0.5", "port": 8080,
         "tagged_addresses": {"wan": {"address": "203.0.113.5", "port": 80},
                              "lan": {"Address": "10.0.0.5", "PORT": 8080}}}""").statusCode()).isEqualTo(200);

    JsonNode agent = json(client.get("/v1/agent/services")).get("web-1").get("TaggedAddresses");
    JsonNode catalog = json(client.get("/v1/catalog/service/web")).get(0).get("ServiceTaggedAddresses");
    JsonNode health = json(client.get("/v1/health/service/web")).get(0).get("Service").get("TaggedAddresses");
    for (JsonNode tagged : List.of(agent, catalog, health)) {
      assertThat(tagged.get("wan").toString()).isEqualTo("{\"Address\":\"203.0.113.5\",\"Port\":80}");
      assertThat(tagged.get("lan").toString()).isEqualTo("{\"Address\":\"10.0.0.5\",\"Port\":8080}");
      // Consul's agent adds the address family's pair for the service's own address (agent.go addServiceInternal).
      assertThat(tagged.get("lan_ipv4").toString()).isEqualTo("{\"Address\":\"10.0.0.5\",\"Port\":8080}");
      assertThat(tagged.get("wan_ipv4").toString()).isEqualTo("{\"Address\":\"10.0.0.5\",\"Port\":8080}");
    }
  }

  @Test
  void agentRegister_noAddress_hasNoDefaultTaggedAddresses() throws Exception {
    assertThat(client.put("/v1/agent/service/register", "{\"Name\": \"bare\", \"Port\": 1}").statusCode())
        .isEqualTo(200);
    assertThat(json(client.get("/v1/agent/services")).get("bare").has("TaggedAddresses")).isFalse();
  }

  @Test
  void catalogRegister_nodeTaggedAddressesSnakeCase_areTheNodesStringMap() throws Exception {
    assertThat(client.put("/v1/catalog/register", """
        {"node": "ext-1", "address": "10.1.0.1", "tagged_addresses": {"wan": "198.51.100.1", "lan": "10.1.0.1"},
         "service": {"service": "db", "port": 5432,
                     "tagged_addresses": {"wan": {"address": "198.51.100.1", "port": 15432}}}}""").statusCode())
        .isEqualTo(200);
    JsonNode row = json(client.get("/v1/catalog/service/db")).get(0);
    assertThat(row.get("TaggedAddresses").toString()).contains("\"wan\":\"198.51.100.1\"", "\"lan\":\"10.1.0.1\"");
    assertThat(row.get("ServiceTaggedAddresses").toString())
        .isEqualTo("{\"wan\":{\"Address\":\"198.51.100.1\",\"Port\":15432}}"); // no agent defaults via the catalog
    assertThat(json(client.get("/v1/health/service/db")).get(0).get("Node").get("TaggedAddresses").get("wan").asText())
        .isEqualTo("198.51.100.1");
  }

  @Test
  void agentServices_entryWithoutTagsOrMeta_hasEveryFieldConsulAnswers() throws Exception {
    assertThat(client.put("/v1/agent/service/register", "{\"Name\": \"plain\", \"Port\": 9}").statusCode())
        .isEqualTo(200);
    JsonNode s = json(client.get("/v1/agent/services")).get("plain");
    assertThat(keys(s)).contains("ID", "Service", "Tags", "Meta", "Port", "Address", "Weights", "EnableTagOverride",
        "Datacenter").doesNotContain("Namespace", "Partition", "CreateIndex");
    assertThat(s.get("Tags").isArray()).isTrue(); // buildAgentService: [] and {}, never null
    assertThat(s.get("Meta").isObject()).isTrue();
    assertThat(s.get("Datacenter").asText()).isEqualTo("jakarta");
    assertThat(s.get("Weights").toString()).isEqualTo("{\"Passing\":1,\"Warning\":1}");
  }

  @Test
  void agentSelf_hasConsulsTopLevelKeysAndLeaderAddr() throws Exception {
    JsonNode self = json(client.get("/v1/agent/self"));
    assertThat(keys(self)).containsExactlyInAnyOrder("Config", "DebugConfig", "Coord", "Member", "Stats", "Meta", "xDS");
    assertThat(self.get("xDS").get("Ports").get("Plaintext").asInt()).isPositive();
    assertThat(self.get("Stats").get("consul").get("leader_addr").asText()).isEqualTo("127.0.0.1:8300");
    assertThat(self.get("Config").has("Partition")).isFalse(); // omitempty, Enterprise only
  }

  @Test
  void agentMembers_wan_areNamedNodeDotDatacenter() throws Exception {
    assertThat(json(client.get("/v1/agent/members?wan=1")).get(0).get("Name").asText()).isEqualTo("n1.jakarta");
    assertThat(json(client.get("/v1/agent/members")).get(0).get("Name").asText()).isEqualTo("n1");
    assertThat(client.get("/v1/agent/members?wan=1&segment=alpha").statusCode()).isEqualTo(400);
  }

  @Test
  void otherDatacenter_writesAndReads_failWithNoPathToDatacenter() throws Exception {
    for (HttpResponse<String> r : List.of(
        client.get("/v1/catalog/services?dc=singapore"),
        client.get("/v1/health/service/web?dc=singapore"),
        client.put("/v1/kv/k?dc=singapore", "v"),
        client.put("/v1/catalog/register", "{\"Datacenter\": \"singapore\", \"Node\": \"x\", \"Address\": \"10.9.9.9\"}"),
        client.put("/v1/catalog/deregister", "{\"Datacenter\": \"singapore\", \"Node\": \"x\"}"),
        client.put("/v1/event/fire/deploy?dc=singapore", ""))) {
      assertThat(r.statusCode()).as(r.request().uri().toString()).isEqualTo(500);
      assertThat(r.body()).isEqualTo("No path to datacenter");
    }
    assertThat(json(client.get("/v1/catalog/nodes")).toString()).doesNotContain("\"x\"");
  }

  @Test
  void checkDefinition_durationsAsGoStringsOrNanoseconds_areAcceptedAndAnsweredAsGoStrings() throws Exception {
    assertThat(client.put("/v1/agent/service/register", """
        {"Name": "timed", "Port": 1, "Checks": [
          {"CheckID": "t1", "TTL": 90000000000},
          {"CheckID": "t2", "TTL": "1m30s", "DeregisterCriticalServiceAfter": "500ms"},
          {"CheckID": "h1", "HTTP": "http://127.0.0.1:1/", "Interval": 10000000000, "Timeout": "1.5s"}]}""")
        .statusCode()).isEqualTo(200);
    JsonNode checks = json(client.get("/v1/agent/checks"));
    assertThat(checks.get("t1").get("Type").asText()).isEqualTo("ttl");
    assertThat(checks.get("h1").get("Interval").asText()).isEqualTo("10s");
    assertThat(checks.get("h1").get("Timeout").asText()).isEqualTo("1.5s");
    assertThat(checks.get("t1").get("Definition").get("TTL").asText()).isEqualTo("1m30s");
    assertThat(checks.get("t2").get("Definition").get("DeregisterCriticalServiceAfter").asText()).isEqualTo("500ms");
    HttpResponse<String> bad = client.put("/v1/agent/check/register", "{\"Name\": \"b\", \"TTL\": \"10 seconds\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("time: invalid duration");
  }

  @Test
  void coordinateUpdate_ofAKnownNode_isVisibleInNodesAndNode() throws Exception {
    assertThat(client.put("/v1/coordinate/update", """
        {"Node": "n1", "Coord": {"Vec": [0.5, 0, 0, 0, 0, 0, 0, 0], "Error": 0.2, "Adjustment": 0.1, "Height": 0.001}}""")
        .statusCode()).isEqualTo(200);
    JsonNode all = json(client.get("/v1/coordinate/nodes"));
    JsonNode one = json(client.get("/v1/coordinate/node/n1"));
    for (JsonNode list : List.of(all, one)) {
      assertThat(list.get(0).get("Node").asText()).isEqualTo("n1");
      assertThat(list.get(0).get("Coord").get("Vec").get(0).asDouble()).isEqualTo(0.5);
    }
  }

  @Test
  void peerQuery_unknownPeer_returnsNothingLocal() throws Exception {
    assertThat(json(client.get("/v1/health/service/consul")).size()).isEqualTo(1);
    assertThat(json(client.get("/v1/health/service/consul?peer=alibaba")).size()).isZero();
    assertThat(json(client.get("/v1/catalog/service/consul?peer=alibaba")).size()).isZero();
    assertThat(json(client.get("/v1/catalog/nodes?peer=alibaba")).size()).isZero();
    assertThat(json(client.get("/v1/catalog/services?peer=alibaba")).size()).isZero();
    assertThat(json(client.get("/v1/health/state/any?peer=alibaba")).size()).isZero();
    assertThat(client.get("/v1/catalog/node/n1?peer=alibaba").body()).isEqualTo("null");
  }

  @Test
  void leaderKnob_noLeader_failsLeaderReadsAndWritesAndServesStaleReadsWithoutKnownLeader() throws Exception {
    emulator.leader().noLeader(Duration.ofSeconds(12));
    HttpResponse<String> read = client.get("/v1/catalog/services");
    assertThat(read.statusCode()).isEqualTo(500);
    assertThat(read.body()).isEqualTo("No cluster leader");
    assertThat(client.put("/v1/kv/k", "v").body()).isEqualTo("No cluster leader");
    HttpResponse<String> stale = client.get("/v1/catalog/services?stale");
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(stale.headers().firstValue("X-Consul-KnownLeader")).contains("false");
    assertThat(stale.headers().firstValue("X-Consul-LastContact")).contains("12000");
    assertThat(client.get("/v1/status/leader").body()).isEqualTo("\"\"");
    assertThat(client.get("/v1/agent/self").statusCode()).isEqualTo(200);
  }

  @Test
  void leaderKnob_staleFollower_reportsLastContactOnStaleReadsOnly() throws Exception {
    emulator.leader().staleFollower(Duration.ofMillis(2500));
    HttpResponse<String> stale = client.get("/v1/health/service/consul?stale");
    assertThat(stale.headers().firstValue("X-Consul-KnownLeader")).contains("true");
    assertThat(stale.headers().firstValue("X-Consul-LastContact")).contains("2500");
    assertThat(client.get("/v1/health/service/consul").headers().firstValue("X-Consul-LastContact")).contains("0");
    // Too stale for the caller's max_stale: Consul re-runs the read on the leader.
    assertThat(client.get("/v1/health/service/consul?stale&max_stale=1s").headers()
        .firstValue("X-Consul-LastContact")).contains("0");
    emulator.leader().healthy();
    assertThat(client.get("/v1/health/service/consul?stale").headers().firstValue("X-Consul-LastContact"))
        .contains("0");
  }
}
