package dev.selat.consul;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Parses Consul's JSON answers into records at the edge; a malformed answer throws naming the field. */
final class ConsulJson {
  static final String NODE_MAINTENANCE = "_node_maintenance";
  static final String SERVICE_MAINTENANCE_PREFIX = "_service_maintenance:";

  private ConsulJson() {}

  static Map<String, List<String>> services(String json) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : parse(json).getAsJsonObject().entrySet()) {
      out.put(e.getKey(), strings(e.getValue()));
    }
    return out;
  }

  static List<CheckState> checks(String json) {
    List<CheckState> out = new ArrayList<>();
    for (JsonElement el : array(parse(json))) {
      JsonObject c = el.getAsJsonObject();
      out.add(new CheckState(required(c, "Node"), required(c, "CheckID"), text(c, "ServiceName"), number(c, "ModifyIndex")));
    }
    return out;
  }

  static List<ServiceInstance> serviceHealth(String json) {
    List<ServiceInstance> out = new ArrayList<>();
    for (JsonElement el : array(parse(json))) {
      JsonObject entry = el.getAsJsonObject();
      JsonObject node = object(entry, "Node");
      JsonObject service = object(entry, "Service");
      String id = required(service, "ID");
      String address = text(service, "Address");
      HealthStatus status = HealthStatus.PASSING;
      for (JsonElement ce : array(entry.get("Checks"))) {
        JsonObject check = ce.getAsJsonObject();
        String checkId = required(check, "CheckID");
        status = status.worst(checkId.equals(NODE_MAINTENANCE) || checkId.startsWith(SERVICE_MAINTENANCE_PREFIX)
            ? HealthStatus.MAINTENANCE
            : HealthStatus.parse("Checks[" + checkId + "].Status", required(check, "Status")));
      }
      out.add(new ServiceInstance(id, required(node, "Node"), address.isEmpty() ? text(node, "Address") : address,
          (int) number(service, "Port"), strings(service.get("Tags")), stringMap(service.get("Meta")), weights(service),
          status));
    }
    return out;
  }

  static List<KvEntry> kv(String json) {
    List<KvEntry> out = new ArrayList<>();
    for (JsonElement el : array(parse(json))) {
      JsonObject o = el.getAsJsonObject();
      String value = text(o, "Value");
      out.add(new KvEntry(required(o, "Key"),
          value.isEmpty() ? Optional.empty()
              : Optional.of(new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)),
          number(o, "ModifyIndex")));
    }
    return out;
  }

  private static Weights weights(JsonObject service) {
    JsonElement w = service.get("Weights");
    if (w == null || w.isJsonNull()) {
      return Weights.DEFAULT;
    }
    JsonObject o = w.getAsJsonObject();
    return new Weights((int) number(o, "Passing"), (int) number(o, "Warning"));
  }

  private static JsonElement parse(String json) {
    try {
      return JsonParser.parseString(json);
    } catch (RuntimeException e) {
      throw new ConsulConfigException("response", "not JSON: " + e.getMessage());
    }
  }

  private static Iterable<JsonElement> array(JsonElement el) {
    if (el == null || el.isJsonNull()) {
      return List.of();
    }
    if (!el.isJsonArray()) {
      throw new ConsulConfigException("response", "expected a JSON array");
    }
    return (JsonArray) el;
  }

  private static JsonObject object(JsonObject parent, String field) {
    JsonElement el = parent.get(field);
    if (el == null || !el.isJsonObject()) {
      throw new ConsulConfigException(field, "missing object");
    }
    return el.getAsJsonObject();
  }

  private static String required(JsonObject o, String field) {
    String v = text(o, field);
    if (v.isEmpty()) {
      throw new ConsulConfigException(field, "missing");
    }
    return v;
  }

  private static String text(JsonObject o, String field) {
    JsonElement el = o.get(field);
    return el == null || el.isJsonNull() ? "" : el.getAsString();
  }

  private static long number(JsonObject o, String field) {
    JsonElement el = o.get(field);
    if (el == null || el.isJsonNull()) {
      return 0;
    }
    try {
      return el.getAsLong();
    } catch (RuntimeException e) {
      throw new ConsulConfigException(field, "not a number: " + el);
    }
  }

  private static List<String> strings(JsonElement el) {
    List<String> out = new ArrayList<>();
    array(el).forEach(t -> out.add(t.getAsString()));
    return out;
  }

  private static Map<String, String> stringMap(JsonElement el) {
    Map<String, String> out = new LinkedHashMap<>();
    if (el != null && el.isJsonObject()) {
      el.getAsJsonObject().entrySet().forEach(e -> out.put(e.getKey(), e.getValue().isJsonNull() ? "" : e.getValue().getAsString()));
    }
    return out;
  }
}
