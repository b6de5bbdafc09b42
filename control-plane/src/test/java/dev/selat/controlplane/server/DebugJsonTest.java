package dev.selat.controlplane.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.selat.controlplane.config.NodeMetadata;
import dev.selat.xds.XdsStreamInfo;
import dev.selat.xds.XdsStreamStatus;
import dev.selat.xds.XdsStreamStatus.Nack;
import dev.selat.xds.XdsStreamStatus.Subscription;
import dev.selat.xds.XdsStreamStatus.TypeStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DebugJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant CONNECTED = Instant.parse("2026-01-01T00:00:00Z");
  private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  private static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  private static XdsStreamStatus stream(long id, String nodeId, String metadataSite, String zone, String role,
      List<TypeStatus> types) {
    Struct.Builder metadata = Struct.newBuilder();
    if (metadataSite != null) {
      metadata.putFields(NodeMetadata.SITE, Value.newBuilder().setStringValue(metadataSite).build());
    }
    if (role != null) {
      metadata.putFields(NodeMetadata.ROLE, Value.newBuilder().setStringValue(role).build());
    }
    Node node = Node.newBuilder().setId(nodeId).setCluster("catalog")
        .setLocality(Locality.newBuilder().setRegion("id-jkt").setZone(zone)).setMetadata(metadata).build();
    return new XdsStreamStatus(new XdsStreamInfo(id, XdsStreamInfo.Protocol.SOTW, "ads", node, "group-" + id),
        CONNECTED, types);
  }

  private static JsonNode proxies(List<XdsStreamStatus> streams, String site) {
    return JSON.valueToTree(DebugJson.proxies(streams, site)).path("proxies");
  }

  @Test
  void proxies_severalStreams_sortedByNodeIdWithSiteAndRoleFromMetadata() {
    JsonNode proxies = proxies(List.of(
        stream(1, "zeta", "jakarta", "jakarta", "sidecar", List.of()),
        stream(2, "alpha", null, "aws-sg", "grpc", List.of()),
        stream(3, "mid", "alibaba-sg", "alibaba-sg", null, List.of())), null);

    assertThat(proxies.findValuesAsText("nodeId")).containsExactly("alpha", "mid", "zeta");
    assertThat(proxies.get(0).path("site").asText()).isEqualTo("aws-sg"); // no selat.site: the locality's zone
    assertThat(proxies.get(0).path("role").asText()).isEqualTo("grpc");
    assertThat(proxies.get(1).path("role").isNull()).isTrue();
    assertThat(proxies.get(2).path("metadata").path(NodeMetadata.SITE).asText()).isEqualTo("jakarta");
    assertThat(proxies.get(2).path("locality").path("region").asText()).isEqualTo("id-jkt");
    assertThat(proxies.get(2).path("protocol").asText()).isEqualTo("sotw");
    assertThat(proxies.get(2).path("connectedAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
  }

  @Test
  void proxies_siteFilter_keepsThatSiteOnly() {
    List<XdsStreamStatus> streams = List.of(
        stream(1, "a", "jakarta", "jakarta", "sidecar", List.of()),
        stream(2, "b", "aws-sg", "aws-sg", "sidecar", List.of()));

    assertThat(proxies(streams, "aws-sg").findValuesAsText("nodeId")).containsExactly("b");
    assertThat(proxies(streams, "nowhere")).isEmpty();
  }

  @Test
  void proxies_ackedAndNackedTypes_showVersionsAndTheNack() {
    JsonNode types = proxies(List.of(stream(1, "a", "jakarta", "jakarta", "sidecar", List.of(
        new TypeStatus(CDS, Optional.of("v2"), Optional.of("7"), false, Optional.of("v2"), Optional.empty(),
            new Subscription(true, 0, List.of())),
        new TypeStatus(EDS, Optional.of("v3"), Optional.of("8"), false, Optional.of("v1"),
            Optional.of(new Nack("v3", "bad endpoint", CONNECTED.plusSeconds(9))),
            new Subscription(false, 2, List.of("catalog", "search")))))), null).get(0).path("types");

    assertThat(types.get(0).path("ackedVersion").asText()).isEqualTo("v2");
    assertThat(types.get(0).path("lastNack").isNull()).isTrue();
    assertThat(types.get(0).path("subscription").path("wildcard").asBoolean()).isTrue();
    assertThat(types.get(1).path("sentNonce").asText()).isEqualTo("8");
    assertThat(types.get(1).path("lastNack").path("version").asText()).isEqualTo("v3");
    assertThat(types.get(1).path("lastNack").path("errorDetail").asText()).isEqualTo("bad endpoint");
    assertThat(types.get(1).path("lastNack").path("at").asText()).isEqualTo("2026-01-01T00:00:09Z");
    assertThat(types.get(1).path("subscription").path("names").toString()).isEqualTo("[\"catalog\",\"search\"]");
  }
}
