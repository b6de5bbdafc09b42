package dev.selat.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.grpc.xds.client.Bootstrapper;
import io.grpc.xds.client.BootstrapperImpl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.util.Map;
import org.junit.jupiter.api.Test;

public class BootstrapCommandTest {
  /** The output and exit code of one run. */
  public record Run(int code, String out, String err) {}

  public static Run selatctl(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Selatctl.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** A successful {@code selatctl} run's output (a bootstrap, say); a failed run fails the test with its stderr. */
  public static String bootstrapOut(String... args) {
    Run run = selatctl(args);
    if (run.code() != 0) {
      throw new AssertionError("selatctl " + String.join(" ", args) + " exited " + run.code() + ": " + run.err());
    }
    return run.out();
  }

  static JsonNode yaml(String text) throws Exception {
    return new YAMLMapper().readTree(text);
  }

  @Test
  void bootstrap_defaults_adsOverGrpcToLocalControlPlane() throws Exception {
    Run r = selatctl("bootstrap", "--site", "jakarta", "--service", "catalog", "--region", "id-jkt", "--node-id", "n1");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode b = yaml(r.out());

    assertThat(b.at("/node/id").asText()).isEqualTo("n1");
    assertThat(b.at("/node/cluster").asText()).isEqualTo("catalog");
    assertThat(b.at("/node/locality/region").asText()).isEqualTo("id-jkt");
    assertThat(b.at("/node/locality/zone").asText()).isEqualTo("jakarta");
    JsonNode meta = b.at("/node/metadata");
    assertThat(meta.get("selat.site").asText()).isEqualTo("jakarta");
    assertThat(meta.get("selat.role").asText()).isEqualTo("sidecar");
    assertThat(meta.get("selat.service").asText()).isEqualTo("catalog");
    assertThat(meta.has("selat.upstreams")).isFalse();
    assertThat(meta.get("selat.outbound_address").asText()).isEqualTo("127.0.0.1");
    assertThat(meta.get("selat.outbound_port").isTextual()).isTrue();
    assertThat(meta.get("selat.outbound_port").asText()).isEqualTo("15001");
    assertThat(b.at("/admin/address/socket_address/port_value").asInt()).isEqualTo(19000);
    JsonNode cluster = b.at("/static_resources/clusters/0");
    assertThat(cluster.get("name").asText()).isEqualTo("selat_xds");
    assertThat(cluster.get("type").asText()).isEqualTo("STATIC");
    assertThat(cluster.at("/load_assignment/endpoints/0/lb_endpoints/0/endpoint/address/socket_address/port_value").asInt())
        .isEqualTo(18000);
    assertThat(cluster.at("/typed_extension_protocol_options").toString()).contains("http2_protocol_options");
    JsonNode ads = b.at("/dynamic_resources/ads_config");
    assertThat(ads.get("api_type").asText()).isEqualTo("GRPC");
    assertThat(ads.get("transport_api_version").asText()).isEqualTo("V3");
    assertThat(ads.get("set_node_on_first_message_only").asBoolean()).isTrue();
    assertThat(ads.at("/grpc_services/0/envoy_grpc/cluster_name").asText()).isEqualTo("selat_xds");
    assertThat(b.at("/dynamic_resources/cds_config/resource_api_version").asText()).isEqualTo("V3");
    assertThat(b.at("/dynamic_resources/lds_config/ads").isObject()).isTrue();
  }

  @Test
  void bootstrap_flags_delta_upstreams_hostnameXds_gateway_noAdmin() throws Exception {
    Run r = selatctl("bootstrap", "--site", "alibaba-sg", "--delta", "--upstreams", "catalog,search", "--xds-address",
        "selat.mesh.svc:18001", "--no-admin", "--role", "gateway", "--outbound-port", "8443");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode b = yaml(r.out());

    assertThat(b.at("/dynamic_resources/ads_config/api_type").asText()).isEqualTo("DELTA_GRPC");
    assertThat(b.at("/node/metadata/selat.upstreams").asText()).isEqualTo("catalog,search");
    assertThat(b.at("/node/metadata/selat.role").asText()).isEqualTo("gateway");
    assertThat(b.at("/node/metadata/selat.outbound_port").asText()).isEqualTo("8443");
    assertThat(b.at("/node/cluster").asText()).isEqualTo("alibaba-sg");
    assertThat(b.at("/node/id").asText()).startsWith("gateway-alibaba-sg-");
    assertThat(b.at("/node/locality").has("region")).isFalse();
    assertThat(b.has("admin")).isFalse();
    assertThat(r.out()).doesNotContainPattern("(?m)^admin\\s*:");
    assertThat(b.at("/static_resources/clusters/0/type").asText()).isEqualTo("STRICT_DNS");
    assertThat(b.at("/static_resources/clusters/0/load_assignment/endpoints/0/lb_endpoints/0/endpoint/address/socket_address/address")
        .asText()).isEqualTo("selat.mesh.svc");
  }

  @Test
  void bootstrapGrpc_parsedByGrpcJavasOwnBootstrapper() throws Exception {
    Run r = selatctl("bootstrap", "--site", "jakarta", "--grpc", "--service", "catalog", "--region", "id-jkt",
        "--upstreams", "search", "--xds-address", "10.0.0.9:18000", "--node-id", "g1");
    assertThat(r.code()).as(r.err()).isZero();

    // grpc-java's GrpcBootstrapperImpl is package-private; it is the parser GRPC_XDS_BOOTSTRAP goes through.
    Constructor<?> ctor = Class.forName("io.grpc.xds.GrpcBootstrapperImpl").getDeclaredConstructor();
    ctor.setAccessible(true);
    BootstrapperImpl parser = (BootstrapperImpl) ctor.newInstance();
    @SuppressWarnings("unchecked")
    Map<String, ?> raw = (Map<String, ?>) io.grpc.internal.JsonParser.parse(r.out());
    Bootstrapper.BootstrapInfo info = parser.bootstrap(raw);

    assertThat(info.servers()).singleElement().satisfies(s -> {
      assertThat(s.target()).isEqualTo("10.0.0.9:18000");
      assertThat(s.ignoreResourceDeletion()).isFalse();
    });
    assertThat(info.node().getId()).isEqualTo("g1");
    // The node as grpc-java will send it to Selat.
    var node = info.node().toEnvoyProtoNode();
    assertThat(node.getCluster()).isEqualTo("catalog");
    assertThat(node.getLocality().getRegion()).isEqualTo("id-jkt");
    assertThat(node.getLocality().getZone()).isEqualTo("jakarta");
    var meta = node.getMetadata().getFieldsMap();
    assertThat(meta.get("selat.role").getStringValue()).isEqualTo("grpc");
    assertThat(meta.get("selat.spill").getStringValue()).isEqualTo("computed");
    assertThat(meta.get("selat.site").getStringValue()).isEqualTo("jakarta");
    assertThat(meta.get("selat.service").getStringValue()).isEqualTo("catalog");
    assertThat(meta.get("selat.upstreams").getStringValue()).isEqualTo("search");
    assertThat(meta).doesNotContainKey("selat.outbound_port");
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.at("/xds_servers/0/server_features/0").asText()).isEqualTo("xds_v3");
    assertThat(json.at("/xds_servers/0/channel_creds/0/type").asText()).isEqualTo("insecure");
  }

  @Test
  void bootstrap_missingSite_exit2NamingTheOption() {
    Run r = selatctl("bootstrap", "--service", "catalog");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--site");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void bootstrap_badXdsAddress_exit2NamingTheOption() {
    for (String bad : new String[] {"localhost", "host:0", "host:99999", "a b:1", ":18000"}) {
      Run r = selatctl("bootstrap", "--site", "jakarta", "--xds-address", bad);

      assertThat(r.code()).as(bad).isEqualTo(2);
      assertThat(r.err()).as(bad).contains("--xds-address");
    }
  }

  @Test
  void bootstrap_conflictingOrBadValues_exit2() {
    assertThat(selatctl("bootstrap", "--site", "jakarta", "--no-admin", "--admin-address", "127.0.0.1:1").code()).isEqualTo(2);
    assertThat(selatctl("bootstrap", "--site", "Jakarta").err()).contains("--site");
    assertThat(selatctl("bootstrap", "--site", "jakarta", "--grpc", "--delta").err()).contains("--grpc");
    assertThat(selatctl("bootstrap", "--site", "jakarta", "--role", "mesh").err()).contains("--role");
    assertThat(selatctl("bootstrap", "--site", "jakarta", "--upstreams", "a,,b").err()).contains("--upstreams");
    assertThat(selatctl().code()).isEqualTo(2);
  }

  @Test
  void hostPort_ipv6Literal_bracketedTarget() {
    HostPort h = HostPort.parse("[::1]:18000");

    assertThat(h.host()).isEqualTo("::1");
    assertThat(h.isIpLiteral()).isTrue();
    assertThat(h.target()).isEqualTo("[::1]:18000");
  }
}
