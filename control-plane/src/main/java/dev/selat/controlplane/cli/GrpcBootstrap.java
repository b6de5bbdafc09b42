package dev.selat.controlplane.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.selat.controlplane.config.NodeMetadata;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A gRPC xDS bootstrap (gRFC A27, the file {@code GRPC_XDS_BOOTSTRAP} names) for a proxyless grpc-java client: one
 * insecure xDS v3 server and the node, whose metadata asks Selat to compute the spill itself
 * ({@link NodeMetadata#SPILL_COMPUTED}: grpc-java ignores the overprovisioning factor).
 */
final class GrpcBootstrap {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private GrpcBootstrap() {}

  static String render(ProxyIdentity id, HostPort xds) {
    Map<String, Object> server = new LinkedHashMap<>();
    server.put("server_uri", xds.target());
    server.put("channel_creds", List.of(Map.of("type", "insecure")));
    server.put("server_features", List.of("xds_v3"));
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("xds_servers", List.of(server));
    root.put("node", id.node(Map.of(NodeMetadata.SPILL, NodeMetadata.SPILL_COMPUTED)));
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
