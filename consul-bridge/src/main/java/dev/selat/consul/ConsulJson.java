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
import java.util.function.Consumer;

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

  /** As {@link #serviceHealth(String, Consumer)}, with malformed optional fields an error. */
  static List<ServiceInstance> serviceHealth(String json) {
    return serviceHealth(json, problem -> {
      throw problem;
    });
  }

  /**
   * Parses /v1/health/service answers. A malformed optional entry (one tagged address, one node meta value) is left out
   * and handed to {@code problems}, naming its field; the rest of the instance is kept. A malformed required field (an
   * ID, a check status) throws.
   */
  static List<ServiceInstance> serviceHealth(String json, Consumer<ConsulAnswerException> problems) {
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
      String at = "Service[" + id + "].";
      out.add(new ServiceInstance(id, required(node, "Node"), address.isEmpty() ? text(node, "Address") : address,
          (int) number(service, "Port"), strings(service.get("Tags")), stringMap(service.get("Meta")), weights(service),
          status, taggedAddresses(at + "TaggedAddresses", service.get("TaggedAddresses"), problems),
          lenientStringMap(at + "Node.TaggedAddresses", node.get("TaggedAddresses"), problems),
          lenientStringMap(at + "Node.Meta", node.get("Meta"), problems), address.isEmpty()));
    }
    return out;
  }

  /** {@code Service.TaggedAddresses}: name to {@code {"Address": ..., "Port": ...}}; a bad entry is left out. */
  private static Map<String, TaggedAddress> taggedAddresses(String field, JsonElement el,
      Consumer<ConsulAnswerException> problems) {
    Map<String, TaggedAddress> out = new LinkedHashMap<>();
    if (el == null || el.isJsonNull()) {
      return out;
    }
    if (!el.isJsonObject()) {
      problems.accept(new ConsulAnswerException(field, "expected an object of name to {Address, Port}, was " + el));
      return out;
    }
    for (Map.Entry<String, JsonElement> e : el.getAsJsonObject().entrySet()) {
      String f = field + "." + e.getKey();
      try {
        if (!e.getValue().isJsonObject()) {
          throw new ConsulAnswerException(f, "expected {Address, Port}, was " + e.getValue());
        }
        JsonObject o = e.getValue().getAsJsonObject();
        JsonElement a = o.get("Address");
        if (a != null && !a.isJsonNull() && !(a.isJsonPrimitive() && a.getAsJsonPrimitive().isString())) {
          throw new ConsulAnswerException(f + ".Address", "not a string: " + a);
        }
        long port = number(o, "Port", f + ".Port");
        if (port < 0 || port > 65535) {
          throw new ConsulAnswerException(f + ".Port", "must be within 0..65535, was " + port);
        }
        out.put(e.getKey(), new TaggedAddress(text(o, "Address"), (int) port));
      } catch (ConsulAnswerException bad) {
        problems.accept(bad);
      }
    }
    return out;
  }

  /** A name to string map ({@code Node.TaggedAddresses}, {@code Node.Meta}); a non-string value is left out. */
  private static Map<String, String> lenientStringMap(String field, JsonElement el,
      Consumer<ConsulAnswerException> problems) {
    Map<String, String> out = new LinkedHashMap<>();
    if (el == null || el.isJsonNull()) {
      return out;
    }
    if (!el.isJsonObject()) {
      problems.accept(new ConsulAnswerException(field, "expected an object of strings, was " + el));
      return out;
    }
    for (Map.Entry<String, JsonElement> e : el.getAsJsonObject().entrySet()) {
      JsonElement v = e.getValue();
      if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()) {
        out.put(e.getKey(), v.getAsString());
      } else if (!v.isJsonNull()) {
        problems.accept(new ConsulAnswerException(field + "." + e.getKey(), "not a string: " + v));
      }
    }
    return out;
  }

  /**
   * A /v1/txn answer (200 or 409): each result's KV entry (a write's result carries no value), or each error as
   * "op N: what".
   */
  static TxnResult txn(String json, boolean committed, long index) {
    JsonElement root = parse(json);
    if (!root.isJsonObject()) {
      throw new ConsulAnswerException("response", "expected a JSON object");
    }
    JsonObject o = root.getAsJsonObject();
    List<KvEntry> results = new ArrayList<>();
    for (JsonElement el : array(o.get("Results"))) {
      JsonElement kv = el.isJsonObject() ? el.getAsJsonObject().get("KV") : null;
      if (kv != null && kv.isJsonObject()) {
        results.addAll(kv("[" + kv + "]"));
      }
    }
    List<String> errors = new ArrayList<>();
    for (JsonElement el : array(o.get("Errors"))) {
      if (!el.isJsonObject()) {
        throw new ConsulAnswerException("Errors", "expected objects");
      }
      JsonObject e = el.getAsJsonObject();
      errors.add("op " + number(e, "OpIndex") + ": " + text(e, "What"));
    }
    return new TxnResult(committed, results, errors, committed ? index : 0);
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
      throw new ConsulAnswerException("response", "not JSON: " + e.getMessage());
    }
  }

  private static Iterable<JsonElement> array(JsonElement el) {
    if (el == null || el.isJsonNull()) {
      return List.of();
    }
    if (!el.isJsonArray()) {
      throw new ConsulAnswerException("response", "expected a JSON array");
    }
    return (JsonArray) el;
  }

  private static JsonObject object(JsonObject parent, String field) {
    JsonElement el = parent.get(field);
    if (el == null || !el.isJsonObject()) {
      throw new ConsulAnswerException(field, "missing object");
    }
    return el.getAsJsonObject();
  }

  private static String required(JsonObject o, String field) {
    String v = text(o, field);
    if (v.isEmpty()) {
      throw new ConsulAnswerException(field, "missing");
    }
    return v;
  }

  private static String text(JsonObject o, String field) {
    JsonElement el = o.get(field);
    return el == null || el.isJsonNull() ? "" : el.getAsString();
  }

  private static long number(JsonObject o, String field) {
    return number(o, field, field);
  }

  /** {@code o.field} as a whole number (0 when absent); a failure names {@code path}. */
  private static long number(JsonObject o, String field, String path) {
    JsonElement el = o.get(field);
    if (el == null || el.isJsonNull()) {
      return 0;
    }
    try {
      return el.getAsLong();
    } catch (RuntimeException e) {
      throw new ConsulAnswerException(path, "not a number: " + el);
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
