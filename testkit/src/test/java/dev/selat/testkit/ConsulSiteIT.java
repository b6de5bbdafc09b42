package dev.selat.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selat.testkit.ConsulSite.Check;
import dev.selat.testkit.ConsulSite.Health;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** ConsulSite's helpers, checked through Consul's HTTP API as any client would see them. */
class ConsulSiteIT {

  @Test
  void embeddedSite_serviceCheckAndMaintenanceHelpers_showInHealthApi() {
    try (ConsulSite site = ConsulSite.start(ConsulSite.Options.builder("jakarta").build())) {
      ConsulHttp http = new ConsulHttp(site.httpAddress(), Optional.empty());
      site.registerService("orders", "orders-1", "10.0.0.1", 8080, List.of("v1"), Map.of("team", "core"),
          Check.manual(Health.PASSING));
      assertThat(passingIds(http, "orders")).containsExactly("orders-1");

      site.setCheck(ConsulSite.serviceCheckId("orders-1"), Health.CRITICAL);
      assertThat(passingIds(http, "orders")).isEmpty();

      site.setCheck(ConsulSite.serviceCheckId("orders-1"), Health.PASSING);
      site.serviceMaintenance("orders-1", true);
      assertThat(passingIds(http, "orders")).isEmpty();

      site.serviceMaintenance("orders-1", false);
      assertThat(passingIds(http, "orders")).containsExactly("orders-1");
      JsonNode instance = ConsulHttp.parse(http.get("/v1/health/service/orders").orElseThrow()).get(0).path("Service");
      assertThat(instance.path("Tags").get(0).asText()).isEqualTo("v1");
      assertThat(instance.path("Meta").path("team").asText()).isEqualTo("core");

      site.deregisterService("orders-1");
      assertThat(ConsulHttp.parse(http.get("/v1/health/service/orders").orElseThrow())).isEmpty();
    }
  }

  @Test
  void embeddedSite_kvHelpers_putGetDelete() {
    try (ConsulSite site = ConsulSite.start(ConsulSite.Options.builder("alibaba-sg").build())) {
      assertThat(site.kvPut("selat/policies/payments", "{\"revision\": 3}")).isTrue();
      assertThat(site.kvGet("selat/policies/payments")).contains("{\"revision\": 3}");

      site.kvDelete("selat/policies/payments");
      assertThat(site.kvGet("selat/policies/payments")).isEmpty();
    }
  }

  @Test
  void aclSite_createdToken_grantsItsRulesOnly() {
    try (ConsulSite site = ConsulSite.start(ConsulSite.Options.builder("aws-sg").acl("deny").build())) {
      ConsulHttp asToken = new ConsulHttp(site.httpAddress(), Optional.of(site.createToken("key_prefix \"app/\" { policy = \"write\" }")));
      ConsulHttp anonymous = new ConsulHttp(site.httpAddress(), Optional.empty());

      assertThat(asToken.put("/v1/kv/app/flag", "on").trim()).isEqualTo("true");
      assertThatThrownBy(() -> asToken.put("/v1/kv/other/flag", "on")).hasMessageContaining("403");
      assertThatThrownBy(() -> anonymous.put("/v1/kv/app/flag", "off")).hasMessageContaining("403");
      assertThat(site.kvGet("app/flag")).contains("on");
    }
  }

  @Test
  void processSite_kill9ThenRestart_keepsAcknowledgedWrites() {
    try (ConsulSite site = ConsulSite.start(ConsulSite.Options.builder("jakarta").process(true).build())) {
      site.kvPut("selat/policies/search", "move 20%");
      site.registerService("search", "search-1", "10.0.0.7", 9200, List.of(), Map.of(), Check.manual(Health.PASSING));

      site.kill9();
      assertThatThrownBy(() -> site.kvGet("selat/policies/search")).hasMessageContaining("did not answer");
      site.restart();

      assertThat(site.kvGet("selat/policies/search")).contains("move 20%");
      ConsulHttp http = new ConsulHttp(site.httpAddress(), Optional.empty());
      assertThat(passingIds(http, "search")).containsExactly("search-1");
    }
  }

  @Test
  void embeddedSite_restart_servesAgainOnTheSamePortWithDevStateEmpty() {
    try (ConsulSite site = ConsulSite.start(ConsulSite.Options.builder("alibaba-sg").build())) {
      int port = site.httpAddress().getPort();
      site.kvPut("selat/policies/search", "v1");

      site.restart();

      assertThat(site.httpAddress().getPort()).isEqualTo(port);
      assertThat(site.kvGet("selat/policies/search")).isEmpty();
    }
  }

  @Test
  void embeddedSite_kill9_failsNamingTheProcessOption() {
    try (ConsulSite site = ConsulSite.start(ConsulSite.Options.builder("jakarta").build())) {
      assertThatThrownBy(site::kill9).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("process(true)");
    }
  }

  private static List<String> passingIds(ConsulHttp http, String service) {
    List<String> ids = new ArrayList<>();
    ConsulHttp.parse(http.get("/v1/health/service/" + service + "?passing").orElseThrow())
        .forEach(entry -> ids.add(entry.path("Service").path("ID").asText()));
    return ids;
  }
}
