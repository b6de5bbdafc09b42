package dev.selat.emulator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.selat.emulator.EmulatorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies a consul agent JSON config file (keys as sdk/testutil writes them) to a builder. Keys the
 * emulator has no use for are accepted and reported in {@link #ignored()}.
 */
final class ConfigFile {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final Set<String> ignored = new TreeSet<>();

  Set<String> ignored() {
    return ignored;
  }

  void apply(Path file, EmulatorConfig.Builder b, AgentCommand.Acl acl, AgentCommand.TlsFiles tls) throws IOException {
    JsonNode root;
    try {
      root = MAPPER.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IOException("Error parsing " + file + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IOException("Error parsing " + file + ": not a JSON object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      switch (e.getKey()) {
        case "node_name" -> b.nodeName(text(e.getKey(), v));
        case "node_id" -> b.nodeId(text(e.getKey(), v));
        case "datacenter" -> b.datacenter(text(e.getKey(), v));
        case "bind_addr" -> b.bindAddr(text(e.getKey(), v));
        case "client_addr" -> b.clientAddr(text(e.getKey(), v));
        case "data_dir" -> b.dataDir(Path.of(text(e.getKey(), v)));
        case "ports" -> ports(v, b);
        case "connect" -> {
          JsonNode enabled = v.get("enabled");
          if (enabled != null) {
            b.connectEnabled(enabled.asBoolean());
          }
        }
        case "node_meta" -> {
          Map<String, String> meta = new java.util.LinkedHashMap<>();
          v.fields().forEachRemaining(m -> meta.put(m.getKey(), text("node_meta." + m.getKey(), m.getValue())));
          b.nodeMeta(meta);
        }
        case "addresses" -> Optional.ofNullable(v.get("http")).filter(JsonNode::isTextual)
            .ifPresent(h -> b.clientAddr(h.asText()));
        case "acl" -> acl(v, acl);
        case "acl_default_policy" -> acl.defaultPolicy = text(e.getKey(), v);
        case "ca_file" -> tls.ca = Path.of(text(e.getKey(), v));
        case "cert_file" -> tls.cert = Path.of(text(e.getKey(), v));
        case "key_file" -> tls.key = Path.of(text(e.getKey(), v));
        case "verify_incoming", "verify_incoming_https" -> tls.verifyIncoming |= v.asBoolean();
        case "tls" -> tlsBlock(v, tls);
        case "limits" -> {
          JsonNode n = v.get("http_max_conns_per_client");
          if (n != null) {
            b.httpMaxConnsPerClient(integer("limits.http_max_conns_per_client", n));
          }
          JsonNode kvMax = v.get("kv_max_value_size");
          if (kvMax != null) {
            b.kvMaxValueSize(integer("limits.kv_max_value_size", kvMax));
          }
        }
        default -> ignored.add(e.getKey());
      }
    }
  }

  private void ports(JsonNode v, EmulatorConfig.Builder b) {
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      switch (p.getKey()) {
        case "http" -> b.httpPort(integer("ports.http", p.getValue()));
        case "https" -> b.httpsPort(integer("ports.https", p.getValue()));
        default -> ignored.add("ports." + p.getKey());
      }
    }
  }

  private void acl(JsonNode v, AgentCommand.Acl acl) {
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      switch (p.getKey()) {
        case "enabled" -> acl.enabled = p.getValue().asBoolean();
        case "default_policy" -> acl.defaultPolicy = text("acl.default_policy", p.getValue());
        case "tokens" -> p.getValue().fields().forEachRemaining(t -> {
          if (Set.of("initial_management", "master").contains(t.getKey())) {
            acl.initialManagement = text("acl.tokens." + t.getKey(), t.getValue());
          } else {
            ignored.add("acl.tokens." + t.getKey());
          }
        });
        default -> ignored.add("acl." + p.getKey());
      }
    }
  }

  private void tlsBlock(JsonNode v, AgentCommand.TlsFiles tls) {
    for (String section : new String[] {"defaults", "https"}) {
      JsonNode s = v.get(section);
      if (s == null) {
        continue;
      }
      Optional.ofNullable(s.get("ca_file")).ifPresent(n -> tls.ca = Path.of(n.asText()));
      Optional.ofNullable(s.get("cert_file")).ifPresent(n -> tls.cert = Path.of(n.asText()));
      Optional.ofNullable(s.get("key_file")).ifPresent(n -> tls.key = Path.of(n.asText()));
      Optional.ofNullable(s.get("verify_incoming")).ifPresent(n -> tls.verifyIncoming |= n.asBoolean());
    }
  }

  private static String text(String key, JsonNode v) {
    if (!v.isTextual()) {
      throw new IllegalArgumentException("config key " + key + " must be a string, got " + v);
    }
    return v.asText();
  }

  private static int integer(String key, JsonNode v) {
    if (!v.isIntegralNumber()) {
      throw new IllegalArgumentException("config key " + key + " must be an integer, got " + v);
    }
    return v.asInt();
  }
}
