package dev.selat.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsulJsonTest {

  private static String entry(String serviceAddress, String weights, String checks) {
    return """
        {"Node":{"ID":"n1","Node":"node-1","Address":"10.0.0.1","Datacenter":"dc1"},
         "Service":{"ID":"web-1","Service":"web","Tags":["v1","primary"],"Address":"%s","Meta":{"version":"1.2"},
                    "Port":8080%s},
         "Checks":[%s]}""".formatted(serviceAddress, weights, checks);
  }

  private static String check(String id, String status) {
    return "{\"Node\":\"node-1\",\"CheckID\":\"" + id + "\",\"Status\":\"" + status + "\",\"ServiceName\":\"web\"}";
  }

  @Test
  void serviceHealth_fullEntry_becomesInstance() {
    List<ServiceInstance> out = ConsulJson.serviceHealth("[" + entry("10.1.1.1", ",\"Weights\":{\"Passing\":10,\"Warning\":2}",
        check("serfHealth", "passing") + "," + check("service:web-1", "passing")) + "]");
    assertThat(out).containsExactly(new ServiceInstance("web-1", "node-1", "10.1.1.1", 8080, List.of("v1", "primary"),
        Map.of("version", "1.2"), new Weights(10, 2), HealthStatus.PASSING));
  }

  @Test
  void serviceHealth_emptyServiceAddress_usesNodeAddress() {
    ServiceInstance i = ConsulJson.serviceHealth("[" + entry("", "", "") + "]").get(0);
    assertThat(i.address()).isEqualTo("10.0.0.1");
    assertThat(i.weights()).isEqualTo(Weights.DEFAULT);
  }

  @Test
  void serviceHealth_checks_aggregateToWorst() {
    String warn = "[" + entry("a", "", check("serfHealth", "passing") + "," + check("c", "warning")) + "]";
    String crit = "[" + entry("a", "", check("serfHealth", "critical") + "," + check("c", "warning")) + "]";
    assertThat(ConsulJson.serviceHealth(warn).get(0).status()).isEqualTo(HealthStatus.WARNING);
    assertThat(ConsulJson.serviceHealth(crit).get(0).status()).isEqualTo(HealthStatus.CRITICAL);
  }

  @Test
  void serviceHealth_maintenanceChecks_areMaintenance() {
    String service = "[" + entry("a", "", check("_service_maintenance:web-1", "critical")) + "]";
    String node = "[" + entry("a", "", check("_node_maintenance", "critical") + "," + check("c", "passing")) + "]";
    assertThat(ConsulJson.serviceHealth(service).get(0).status()).isEqualTo(HealthStatus.MAINTENANCE);
    assertThat(ConsulJson.serviceHealth(node).get(0).status()).isEqualTo(HealthStatus.MAINTENANCE);
  }

  @Test
  void serviceHealth_unknownStatus_namesTheCheck() {
    assertThatThrownBy(() -> ConsulJson.serviceHealth("[" + entry("a", "", check("c1", "bogus")) + "]"))
        .isInstanceOf(ConsulAnswerException.class).hasMessageStartingWith("Checks[c1].Status:");
  }

  @Test
  void serviceHealth_missingServiceId_namesTheField() {
    assertThatThrownBy(() -> ConsulJson.serviceHealth("[{\"Node\":{\"Node\":\"n\",\"Address\":\"a\"},\"Service\":{}}]"))
        .isInstanceOf(ConsulAnswerException.class).hasMessageStartingWith("ID:");
  }

  private static String tagged(String serviceTagged, String nodeTagged, String nodeMeta) {
    return """
        [{"Node":{"Node":"node-1","Address":"10.0.0.1","TaggedAddresses":%s,"Meta":%s},
          "Service":{"ID":"web-1","Service":"web","Address":"","Port":8080,"TaggedAddresses":%s},
          "Checks":[]}]""".formatted(nodeTagged, nodeMeta, serviceTagged);
  }

  @Test
  void serviceHealth_taggedAddressesAndNodeMeta_areParsed() {
    ServiceInstance i = ConsulJson.serviceHealth(tagged(
        "{\"lan\":{\"Address\":\"10.0.0.1\",\"Port\":8080},\"wan\":{\"Address\":\"203.0.113.5\",\"Port\":0}}",
        "{\"lan\":\"10.0.0.1\",\"wan\":\"198.51.100.1\"}", "{\"rack\":\"r1\",\"consul-network-segment\":\"\"}")).get(0);
    assertThat(i.taggedAddresses()).containsOnly(Map.entry("lan", new TaggedAddress("10.0.0.1", 8080)),
        Map.entry("wan", new TaggedAddress("203.0.113.5", 0)));
    assertThat(i.nodeTaggedAddresses()).containsOnly(Map.entry("lan", "10.0.0.1"), Map.entry("wan", "198.51.100.1"));
    assertThat(i.nodeMeta()).containsOnly(Map.entry("rack", "r1"), Map.entry("consul-network-segment", ""));
    assertThat(i.usesNodeAddress()).isTrue();
    assertThat(i.wanAddress()).contains(new TaggedAddress("203.0.113.5", 8080));
  }

  @Test
  void serviceHealth_nullTaggedAddressesAndMeta_areEmpty() {
    ServiceInstance i = ConsulJson.serviceHealth(tagged("null", "null", "null")).get(0);
    assertThat(i.taggedAddresses()).isEmpty();
    assertThat(i.nodeTaggedAddresses()).isEmpty();
    assertThat(i.nodeMeta()).isEmpty();
  }

  @Test
  void serviceHealth_malformedTaggedAddress_leftOutNamingTheFieldRestKept() {
    List<ConsulAnswerException> problems = new java.util.ArrayList<>();
    List<ServiceInstance> out = ConsulJson.serviceHealth(tagged(
        "{\"lan\":{\"Address\":\"10.0.0.1\",\"Port\":8080},\"wan\":{\"Address\":\"203.0.113.5\",\"Port\":\"x\"},"
            + "\"wan_ipv4\":\"203.0.113.5\",\"lan_ipv4\":{\"Address\":\"10.0.0.1\",\"Port\":70000}}",
        "{\"wan\":\"198.51.100.1\",\"lan\":{\"bad\":1}}", "{\"rack\":\"r1\"}"), problems::add);

    assertThat(out).hasSize(1);
    assertThat(out.get(0).taggedAddresses()).containsOnlyKeys("lan");
    assertThat(out.get(0).nodeTaggedAddresses()).containsOnly(Map.entry("wan", "198.51.100.1"));
    assertThat(out.get(0).nodeMeta()).containsOnly(Map.entry("rack", "r1"));
    assertThat(problems).extracting(ConsulAnswerException::field).containsExactly(
        "Service[web-1].TaggedAddresses.wan.Port", "Service[web-1].TaggedAddresses.wan_ipv4",
        "Service[web-1].TaggedAddresses.lan_ipv4.Port", "Service[web-1].Node.TaggedAddresses.lan");
    // Without a problem sink (the strict form), the first one is the error.
    assertThatThrownBy(() -> ConsulJson.serviceHealth(tagged("{\"wan\":[]}", "null", "null")))
        .isInstanceOf(ConsulAnswerException.class).hasMessageStartingWith("Service[web-1].TaggedAddresses.wan:");
  }

  @Test
  void services_nullTags_areEmpty() {
    assertThat(ConsulJson.services("{\"consul\":[],\"web\":[\"v1\"],\"db\":null}"))
        .containsEntry("consul", List.of()).containsEntry("web", List.of("v1")).containsEntry("db", List.of());
  }

  @Test
  void checks_nodeCheck_hasEmptyServiceName() {
    List<CheckState> out = ConsulJson.checks(
        "[{\"Node\":\"n1\",\"CheckID\":\"serfHealth\",\"ServiceName\":\"\",\"ModifyIndex\":12}]");
    assertThat(out).containsExactly(new CheckState("n1", "serfHealth", "", 12));
    assertThat(out.get(0).isNodeCheck()).isTrue();
  }

  @Test
  void kv_base64Values_areDecoded() {
    assertThat(ConsulJson.kv("[{\"Key\":\"selat/p/a\",\"Value\":\"aGVsbG8=\",\"ModifyIndex\":5},"
        + "{\"Key\":\"selat/p/\",\"Value\":null,\"ModifyIndex\":3}]"))
        .containsExactly(new KvEntry("selat/p/a", Optional.of("hello"), 5), new KvEntry("selat/p/", Optional.empty(), 3));
  }
}
