package dev.selat.emulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.selat.emulator.state.HealthCheck;
import dev.selat.emulator.state.ServiceInstance;
import java.util.List;

/** Service and check definitions (agent and catalog forms) into rows, validated as Consul does. */
final class Registrations {
  private static final List<String> DEFINITION_FIELDS = List.of("HTTP", "Header", "Method", "Body", "TCP", "UDP",
      "GRPC", "GRPCUseTLS", "TLSServerName", "TLSSkipVerify", "Interval", "Timeout", "TTL",
      "DeregisterCriticalServiceAfter", "Args", "ScriptArgs", "DockerContainerID", "Shell");

  private Registrations() {}

  /** api.AgentServiceRegistration (agent form, name in "Name") or api.AgentService ("Service"). */
  static ServiceInstance service(Body b, String node, boolean agentForm) {
    String name = agentForm ? b.str("Name") : b.str("Service");
    if (name.isEmpty() && !agentForm && !b.str("ID").isEmpty()) {
      throw new HttpError(500, "Must provide service name (Service.Service) when service ID is provided");
    }
    if (name.isEmpty()) {
      throw HttpError.badRequest("Missing service name");
    }
    String id = b.str("ID").isEmpty() ? name : b.str("ID");
    Body w = b.obj("Weights");
    // Absent weights, or a zero Passing weight (what a Go client sends for an unset struct), are {1, 1}.
    boolean dflt = w.isNull() || w.num("Passing") == 0;
    int passing = dflt ? 1 : (int) w.num("Passing");
    int warning = dflt ? 1 : (int) w.num("Warning");
    if (passing < 1) {
      throw HttpError.badRequest("Invalid Weights: Passing must be greater than 0");
    }
    if (agentForm && unspecified(b.str("Address"))) {
      throw HttpError.badRequest("Invalid service address");
    }
    long port = b.num("Port");
    if (port < 0 || port > 65535) {
      throw HttpError.badRequest("Invalid Port: " + port);
    }
    ObjectNode tagged = taggedAddresses(b.obj("TaggedAddresses"), agentForm ? b.str("Address") : "", (int) port);
    JsonNode proxy = b.raw("Proxy");
    JsonNode connect = b.raw("Connect");
    ObjectNode extra = JsonNodeFactory.instance.objectNode();
    for (String f : List.of("Locality", "SocketPath", "Ports")) {
      if (b.present(f)) {
        extra.set(f, b.raw(f));
      }
    }
    return new ServiceInstance(node, b.str("Kind"), id, name, b.strings("Tags"), b.str("Address"),
        tagged.isEmpty() ? null : tagged, b.stringMap("Meta"), (int) port, passing, warning,
        b.bool("EnableTagOverride"), proxy.isNull() ? null : proxy, connect.isNull() ? null : connect,
        extra.isEmpty() ? null : extra, 0, 0);
  }

  /**
   * A service's TaggedAddresses as Consul holds them: each a ServiceAddress {@code {"Address", "Port"}},
   * whatever the case of the keys sent (Go's decoder matches field names case-insensitively). With
   * {@code agentAddress} an IP (agent registrations), Consul's agent adds lan_ipv4/wan_ipv4 (or the
   * _ipv6 pair) for the service's own address and port unless they were given (agent.go addServiceInternal).
   */
  static ObjectNode taggedAddresses(Body tagged, String agentAddress, int port) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    if (!tagged.isNull()) {
      tagged.node().fieldNames().forEachRemaining(key -> {
        Body a = tagged.obj(key);
        long p = a.num("Port");
        if (p < 0 || p > 65535) {
          throw HttpError.badRequest("Invalid Port: " + p);
        }
        out.set(key, serviceAddress(a.str("Address"), (int) p));
      });
    }
    String family = ipFamily(agentAddress);
    if (family != null) {
      for (String k : List.of("lan_" + family, "wan_" + family)) {
        if (!out.has(k)) {
          out.set(k, serviceAddress(agentAddress, port));
        }
      }
    }
    return out;
  }

  private static ObjectNode serviceAddress(String address, int port) {
    ObjectNode a = JsonNodeFactory.instance.objectNode();
    a.put("Address", address);
    a.put("Port", port);
    return a;
  }

  /** "ipv4", "ipv6" or null (a name or nothing), as Go's net.ParseIP and To4 tell them apart. */
  static String ipFamily(String address) {
    if (address.matches("(\\d{1,3}\\.){3}\\d{1,3}")) {
      for (String part : address.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return null;
        }
      }
      return "ipv4";
    }
    if (address.contains(":") && address.matches("[0-9A-Fa-f:.]+")) {
      try {
        return java.net.InetAddress.getByName(address) instanceof java.net.Inet4Address ? "ipv4" : "ipv6";
      } catch (java.net.UnknownHostException e) {
        return null;
      }
    }
    return null;
  }

  private static boolean unspecified(String address) {
    return address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]");
  }

  /**
   * A check definition: api.AgentCheckRegistration, an inline api.AgentServiceCheck (defaults
   * from the service) or api.HealthCheck (catalog). {@code defaultId} is used when it has none.
   */
  static HealthCheck check(Body b, String node, ServiceInstance service, String defaultId) {
    return check(b, node, service, defaultId, "Invalid check status: \"%s\"");
  }

  /** As {@link #check(Body, String, ServiceInstance, String)}, with the endpoint's own bad-status wording. */
  static HealthCheck check(Body b, String node, ServiceInstance service, String defaultId, String badStatus) {
    String id = !b.str("CheckID").isEmpty() ? b.str("CheckID") : b.str("ID");
    if (id.isEmpty()) {
      id = defaultId;
    }
    String name = b.str("Name");
    if (name.isEmpty() && service != null) {
      name = "Service '" + service.service() + "' check";
    }
    if (id == null || id.isEmpty()) {
      id = name;
    }
    if (id.isEmpty()) {
      throw HttpError.badRequest("Missing check name");
    }
    ObjectNode def = JsonNodeFactory.instance.objectNode();
    Body d = b.obj("Definition");
    for (String f : DEFINITION_FIELDS) {
      JsonNode v = b.present(f) ? b.raw(f) : d.isNull() ? null : d.raw(f);
      if (v != null && !v.isNull() && !(v.isTextual() && v.asText().isEmpty())) {
        def.set(f, v);
      }
    }
    for (String f : List.of("Interval", "Timeout", "TTL", "DeregisterCriticalServiceAfter")) {
      if (def.has(f)) {
        // Consul's CheckType and HealthCheckDefinition decoders take a Go duration string or a number
        // of nanoseconds; either way the check holds a time.Duration, answered as its String().
        JsonNode v = def.get(f);
        java.time.Duration parsed;
        if (v.isNumber()) {
          parsed = java.time.Duration.ofNanos(v.asLong());
        } else if (v.isTextual()) {
          try {
            parsed = GoDuration.parse(v.asText());
          } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("Request decode failed: " + e.getMessage());
          }
        } else {
          throw HttpError.badRequest("Request decode failed: " + f + ": expected a duration string or number");
        }
        def.put(f, GoDuration.format(parsed));
      }
    }
    String type = def.has("TTL") ? "ttl" : def.has("HTTP") ? "http" : def.has("TCP") ? "tcp"
        : def.has("UDP") ? "udp" : def.has("GRPC") ? "grpc" : def.has("DockerContainerID") ? "docker" : def.has("Args") || def.has("ScriptArgs") ? "script" : "";
    if (List.of("http", "tcp", "udp", "grpc").contains(type) && !def.has("Interval")) {
      throw HttpError.badRequest("Invalid check: Interval must be > 0 for " + type.toUpperCase() + " checks");
    }
    String status = b.str("Status");
    if (status.isEmpty()) {
      status = HealthCheck.CRITICAL;
    }
    if (!List.of(HealthCheck.PASSING, HealthCheck.WARNING, HealthCheck.CRITICAL, HealthCheck.MAINTENANCE)
        .contains(status)) {
      throw HttpError.badRequest(badStatus.formatted(status));
    }
    String serviceId = service != null ? service.id() : b.str("ServiceID");
    return new HealthCheck(node, id, name, status, b.str("Notes"), b.str("Output"), serviceId, "", List.of(),
        type, def.isEmpty() ? null : def, 0, 0);
  }
}
