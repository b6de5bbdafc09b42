package dev.selat.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The three-site fixture: distinct datacenters and ports, each site its own catalog; as an extension and as a resource. */
class ThreeSitesIT {
  @RegisterExtension
  static final ThreeSites SITES = ThreeSites.extension(false);

  @Test
  void extension_startsJakartaAlibabaAndAws_eachItsOwnDatacenterAndPort() {
    assertThat(SITES.all()).extracting(ConsulSite::datacenter).containsExactly("jakarta", "alibaba-sg", "aws-sg");
    assertThat(SITES.all()).extracting(site -> site.httpAddress().getPort()).doesNotHaveDuplicates();
    for (ConsulSite site : SITES.all()) {
      assertThat(self(site).path("Config").path("Datacenter").asText()).isEqualTo(site.datacenter());
    }
  }

  @Test
  void extension_serviceRegisteredInJakarta_isNotInAwsSg() {
    SITES.jakarta().registerService("payments", "payments-1", "10.0.0.2", 443, List.of(), Map.of(), null);

    assertThat(services(SITES.jakarta()).has("payments")).isTrue();
    assertThat(services(SITES.awsSg()).has("payments")).isFalse();
  }

  @Test
  void asProcesses_threeSitesStartAndStop_eachServesItsDatacenter() {
    try (ThreeSites processes = ThreeSites.start(true)) {
      for (String id : ThreeSites.IDS) {
        assertThat(self(processes.site(id)).path("Config").path("Datacenter").asText()).isEqualTo(id);
      }
    }
  }

  private static JsonNode self(ConsulSite site) {
    return ConsulHttp.parse(new ConsulHttp(site.httpAddress(), Optional.empty()).get("/v1/agent/self").orElseThrow());
  }

  private static JsonNode services(ConsulSite site) {
    return ConsulHttp.parse(new ConsulHttp(site.httpAddress(), Optional.empty()).get("/v1/catalog/services").orElseThrow());
  }
}
