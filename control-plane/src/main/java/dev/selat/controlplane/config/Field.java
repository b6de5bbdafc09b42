package dev.selat.controlplane.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.selat.emulator.http.GoDuration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node of the YAML tree at a field path, with typed reads that report problems instead of throwing: each read
 * returns empty when the field is absent or wrong (and then a problem names the path). Values set from the
 * environment are text and convert to numbers and booleans; in the file, types must match.
 */
final class Field {
  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\\d{1,5})");

  private final JsonNode node; // null: absent
  private final String path;
  private final Schema.Shape shape;
  private final Problems problems;

  Field(JsonNode node, String path, Schema.Shape shape, Problems problems) {
    this.node = node == null || node.isNull() || node.isMissingNode() ? null : node;
    this.path = path;
    this.shape = shape;
    this.problems = problems;
  }

  String path() {
    return path;
  }

  boolean present() {
    return node != null;
  }

  void problem(String message) {
    problems.add(path, message);
  }

  /** A key of this mapping; the first call on a mapping also reports its unknown keys. */
  Field get(String key) {
    Schema.Obj obj = (Schema.Obj) shape;
    Schema.Shape child = obj.key(key);
    String childPath = path.isEmpty() ? key : path + "." + key;
    if (node == null || !isMapping()) {
      return new Field(null, childPath, child, problems);
    }
    return new Field(node.get(key), childPath, child, problems);
  }

  /** Checks that this is a mapping (or absent) with only the schema's keys; false if it is something else. */
  boolean checkMapping() {
    if (node == null) {
      return true;
    }
    if (!isMapping()) {
      problem("must be a mapping, was " + kind(node));
      return false;
    }
    Schema.Obj obj = (Schema.Obj) shape;
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!obj.keys().containsKey(name)) {
        problems.add(path.isEmpty() ? name : path + "." + name, "unknown key (known: " + String.join(", ", obj.keys().keySet()) + ")");
      }
    }
    return true;
  }

  /** The elements of a list (empty if absent or not a list). */
  List<Field> elements() {
    if (node == null) {
      return List.of();
    }
    if (!node.isArray()) {
      problem("must be a list, was " + kind(node));
      return List.of();
    }
    Schema.Shape element = shape instanceof Schema.Keyed k ? k.element() : new Schema.Scalar(false);
    List<Field> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      out.add(new Field(node.get(i), path + "[" + i + "]", element, problems));
    }
    return out;
  }

  Optional<String> text() {
    if (node == null) {
      return Optional.empty();
    }
    if (!node.isValueNode()) {
      problem("must be a single value, was " + kind(node));
      return Optional.empty();
    }
    String v = node.asText();
    if (v.isBlank()) {
      problem("must not be blank");
      return Optional.empty();
    }
    return Optional.of(v);
  }

  /**
   * A {@code host:port} (a name, an IPv4 literal or a bracketed IPv6 literal; port 1..65535), as {@code [host, port]}.
   */
  Optional<Endpoint> hostPort() {
    return text().flatMap(v -> {
      Matcher m = HOST_PORT.matcher(v.strip());
      if (!m.matches() || Integer.parseInt(m.group(3)) < 1 || Integer.parseInt(m.group(3)) > 65535) {
        problem("not host:port (\"" + v + "\")");
        return Optional.empty();
      }
      String host = m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
      return Optional.of(new Endpoint(host, Integer.parseInt(m.group(3))));
    });
  }

  Optional<Integer> integer() {
    if (node == null) {
      return Optional.empty();
    }
    if (node.isIntegralNumber() && node.canConvertToInt()) {
      return Optional.of(node.intValue());
    }
    if (node.isTextual() && problems.fromEnv(path)) {
      try {
        return Optional.of(Integer.parseInt(node.asText().strip()));
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    problem("must be an integer, was " + shown(node));
    return Optional.empty();
  }

  Optional<Boolean> bool() {
    if (node == null) {
      return Optional.empty();
    }
    if (node.isBoolean()) {
      return Optional.of(node.booleanValue());
    }
    if (node.isTextual() && problems.fromEnv(path)) {
      String v = node.asText().strip();
      if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
        return Optional.of(Boolean.parseBoolean(v));
      }
    }
    problem("must be true or false, was " + shown(node));
    return Optional.empty();
  }

  /** A Go-style duration string ("12ms", "1m30s", "0"); negative values are reported by the caller's range check. */
  Optional<Duration> duration() {
    if (node == null) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      problem("must be a duration such as \"30s\" or \"1m30s\", was " + shown(node));
      return Optional.empty();
    }
    try {
      return Optional.of(GoDuration.parse(node.asText().strip()));
    } catch (IllegalArgumentException e) {
      problem("not a duration (" + shown(node) + "); use Go's form, e.g. \"12ms\", \"5s\", \"1m30s\"");
      return Optional.empty();
    }
  }

  /** A duration that must be > 0 ({@code zeroAllowed}: >= 0). */
  Optional<Duration> duration(boolean zeroAllowed) {
    Optional<Duration> d = duration();
    if (d.isPresent() && (d.get().isNegative() || (!zeroAllowed && d.get().isZero()))) {
      problem("must be " + (zeroAllowed ? ">= 0" : "> 0") + ", was " + shown(node));
      return Optional.empty();
    }
    return d;
  }

  private boolean isMapping() {
    return node.isObject();
  }

  /** The value for a message: quoted text, or "(hidden)" for a secret. */
  String shown(JsonNode n) {
    if (shape instanceof Schema.Scalar s && s.secret()) {
      return "(hidden)";
    }
    return n.isTextual() ? "\"" + n.asText() + "\"" : n.isValueNode() ? n.asText() : kind(n);
  }

  private static String kind(JsonNode n) {
    JsonNodeType t = n.getNodeType();
    return switch (t) {
      case OBJECT -> "a mapping";
      case ARRAY -> "a list";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      default -> t.name().toLowerCase();
    };
  }
}
