package dev.selat.emulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A decoded JSON object read as Go's encoding/json reads into a struct: field names match
 * case-insensitively (and snake_case keys match as Consul's config decoding allows), absent fields
 * are zero values, and a wrong type is a 400 naming the field.
 */
public final class Body {
  private final JsonNode node;
  private final String path;
  private final Map<String, JsonNode> fields = new LinkedHashMap<>();

  private Body(JsonNode node, String path) {
    this.node = node;
    this.path = path;
    if (node != null && node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        fields.putIfAbsent(norm(e.getKey()), e.getValue());
      }
    }
  }

  /** Parses a request body that must be a JSON object. */
  public static Body parse(byte[] bytes, String structName) {
    JsonNode n = Json.decode(bytes, JsonNode.class);
    if (!n.isObject()) {
      throw typeError(structName, n, "api." + structName);
    }
    return new Body(n, "");
  }

  public static Body of(JsonNode n, String path) {
    return new Body(n, path);
  }

  public boolean present(String name) {
    JsonNode v = fields.get(norm(name));
    return v != null && !v.isNull();
  }

  public JsonNode raw(String name) {
    JsonNode v = fields.get(norm(name));
    return v == null ? NullNode.getInstance() : v;
  }

  public String str(String name) {
    JsonNode v = raw(name);
    if (v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw typeError(field(name), v, "string");
    }
    return v.asText();
  }

  public long num(String name) {
    JsonNode v = raw(name);
    if (v.isNull()) {
      return 0;
    }
    if (!v.isIntegralNumber()) {
      throw typeError(field(name), v, "int");
    }
    return v.asLong();
  }

  public boolean bool(String name) {
    JsonNode v = raw(name);
    if (v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw typeError(field(name), v, "bool");
    }
    return v.asBoolean();
  }

  public List<String> strings(String name) {
    JsonNode v = raw(name);
    List<String> out = new ArrayList<>();
    if (v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw typeError(field(name), v, "[]string");
    }
    for (JsonNode e : v) {
      if (!e.isTextual()) {
        throw typeError(field(name), e, "string");
      }
      out.add(e.asText());
    }
    return out;
  }

  public Map<String, String> stringMap(String name) {
    JsonNode v = raw(name);
    Map<String, String> out = new LinkedHashMap<>();
    if (v.isNull()) {
      return out;
    }
    if (!v.isObject()) {
      throw typeError(field(name), v, "map[string]string");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw typeError(field(name) + "." + e.getKey(), e.getValue(), "string");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  public Body obj(String name) {
    JsonNode v = raw(name);
    if (!v.isNull() && !v.isObject()) {
      throw typeError(field(name), v, "struct");
    }
    return new Body(v.isNull() ? null : v, field(name));
  }

  public List<Body> objs(String name) {
    JsonNode v = raw(name);
    List<Body> out = new ArrayList<>();
    if (v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw typeError(field(name), v, "[]struct");
    }
    int i = 0;
    for (JsonNode e : v) {
      if (!e.isObject()) {
        throw typeError(field(name) + "[" + i + "]", e, "struct");
      }
      out.add(new Body(e, field(name) + "[" + i++ + "]"));
    }
    return out;
  }

  public boolean isNull() {
    return node == null || node.isNull();
  }

  public JsonNode node() {
    return node;
  }

  private String field(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private static String norm(String key) {
    return key.replace("_", "").toLowerCase(Locale.ROOT);
  }

  private static HttpError typeError(String field, JsonNode v, String want) {
    String kind = v.isTextual() ? "string" : v.isNumber() ? "number" : v.isBoolean() ? "bool"
        : v.isArray() ? "array" : v.isObject() ? "object" : "null";
    return HttpError.badRequest("Request decode failed: json: cannot unmarshal " + kind
        + " into Go struct field " + field + " of type " + want);
  }
}
