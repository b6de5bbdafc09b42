package dev.selat.controlplane.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.selat.controlplane.config.NodeMetadata;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An Envoy v3 bootstrap that takes everything else from Selat over ADS: one static cluster {@code selat_xds} (HTTP/2)
 * to the control plane, CDS and LDS over ADS (SotW or Delta), the node sent on the first message only.
 */
final class EnvoyBootstrap {
  static final String XDS_CLUSTER = "selat_xds";
  private static final YAMLMapper YAML = YAMLMapper.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS) // metadata values are strings: "15001", not 15001
      .build();

  private EnvoyBootstrap() {}

  /**
   * @param admin Envoy's admin listener, or empty for none (a harness that adds its own)
   * @param outbound where the outbound listener Selat sends will bind (node metadata; the listener comes over LDS)
   * @param probePort a gateway's probe port (node metadata), if it forwards probes
   */
  static String render(ProxyIdentity id, HostPort xds, boolean delta, Optional<HostPort> admin, HostPort outbound,
      Optional<Integer> probePort) {
    Map<String, Object> root = new LinkedHashMap<>();
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put(NodeMetadata.OUTBOUND_ADDRESS, outbound.host());
    extra.put(NodeMetadata.OUTBOUND_PORT, Integer.toString(outbound.port()));
    probePort.ifPresent(p -> extra.put(NodeMetadata.PROBE_PORT, Integer.toString(p)));
    root.put("node", id.node(extra));
    admin.ifPresent(a -> root.put("admin", Map.of("address", socketAddress(a))));
    root.put("static_resources", Map.of("clusters", List.of(xdsCluster(xds))));
    Map<String, Object> ads = new LinkedHashMap<>();
    ads.put("api_type", delta ? "DELTA_GRPC" : "GRPC");
    ads.put("transport_api_version", "V3");
    ads.put("grpc_services", List.of(Map.of("envoy_grpc", Map.of("cluster_name", XDS_CLUSTER))));
    ads.put("set_node_on_first_message_only", true);
    Map<String, Object> dynamic = new LinkedHashMap<>();
    dynamic.put("ads_config", ads);
    dynamic.put("cds_config", overAds());
    dynamic.put("lds_config", overAds());
    root.put("dynamic_resources", dynamic);
    try {
      return YAML.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Object> xdsCluster(HostPort xds) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", XDS_CLUSTER);
    c.put("type", xds.isIpLiteral() ? "STATIC" : "STRICT_DNS");
    c.put("connect_timeout", "1s");
    c.put("typed_extension_protocol_options", Map.of("envoy.extensions.upstreams.http.v3.HttpProtocolOptions", Map.of(
        "@type", "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        "explicit_http_config", Map.of("http2_protocol_options", Map.of()))));
    // Keepalive: a control plane behind a NAT or load balancer must not lose an idle ADS stream silently.
    c.put("upstream_connection_options", Map.of("tcp_keepalive", Map.of()));
    c.put("load_assignment", Map.of(
        "cluster_name", XDS_CLUSTER,
        "endpoints", List.of(Map.of("lb_endpoints", List.of(Map.of("endpoint", Map.of("address", socketAddress(xds))))))));
    return c;
  }

  private static Map<String, Object> socketAddress(HostPort a) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("address", a.host());
    s.put("port_value", a.port());
    return Map.of("socket_address", s);
  }

  private static Map<String, Object> overAds() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ads", Map.of());
    m.put("resource_api_version", "V3");
    return m;
  }
}
