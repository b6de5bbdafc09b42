package dev.selat.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Selat's three sites, jakarta, alibaba-sg and aws-sg, each its own datacenter: in one JVM, and as three processes. */
class ThreeSitesIT {
  private static final List<String> SITES = List.of("jakarta", "alibaba-sg", "aws-sg");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void threeSites_inOneJvm_eachServesItsOwnDatacenterAndCatalog() throws Exception {
    List<ConsulEmulator> emulators = new ArrayList<>();
    try {
      for (String site : SITES) {
        emulators.add(ConsulEmulator.start(EmulatorConfig.builder().datacenter(site).nodeName(site + "-1").build()));
      }
      List<URI> addresses = emulators.stream().map(ConsulEmulator::httpAddress).toList();
      put(addresses.get(0), "/v1/agent/service/register", "{\"Name\": \"payments\", \"ID\": \"payments-1\", \"Port\": 443}");

      assertThat(addresses.stream().map(URI::getPort).distinct()).hasSize(3);
      for (int i = 0; i < SITES.size(); i++) {
        assertThat(datacenter(addresses.get(i))).isEqualTo(SITES.get(i));
        assertThat(json(addresses.get(i), "/v1/catalog/services").has("payments")).as(SITES.get(i)).isEqualTo(i == 0);
      }
    } finally {
      emulators.forEach(ConsulEmulator::close);
    }
  }

  @Test
  void threeSites_asThreeProcesses_eachAnswersCatalogServicesForItsDatacenter() throws Exception {
    List<EmulatorLauncher> processes = new ArrayList<>();
    try {
      for (String site : SITES) {
        processes.add(EmulatorLauncher.start(site, EmulatorLauncher.freePort(), List.of("-dev", "-datacenter", site)));
      }
      for (int i = 0; i < SITES.size(); i++) {
        URI address = processes.get(i).httpAddress();
        HttpResponse<String> services = get(address, "/v1/catalog/services");
        assertThat(services.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(services.body()).has("consul")).isTrue();
        assertThat(datacenter(address)).isEqualTo(SITES.get(i));
      }
    } finally {
      processes.forEach(EmulatorLauncher::close);
    }
  }

  private static String datacenter(URI address) throws Exception {
    return json(address, "/v1/agent/self").path("Config").path("Datacenter").asText();
  }

  private static JsonNode json(URI address, String path) throws Exception {
    return JSON.readTree(get(address, path).body());
  }

  private static HttpResponse<String> get(URI address, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(address.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void put(URI address, String path, String body) throws Exception {
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(address.resolve(path)).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
  }
}
