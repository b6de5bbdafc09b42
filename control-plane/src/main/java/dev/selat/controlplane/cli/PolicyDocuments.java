package dev.selat.controlplane.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.selat.proto.v1.RoutingPolicy;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The policies of a file for {@code -f}: YAML (several documents, {@code ---}) or JSON, each a RoutingPolicy in its
 * protobuf JSON form (proto or lowerCamel field names, enums by name), durations also in Go's form ("20ms", "1m30s")
 * as in the control plane's config. Each document remembers the
 * line of every field path (in the proto's snake_case names, as the server's violations spell them), so that an error
 * can name the line.
 */
final class PolicyDocuments {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();
  /** The map fields: their keys are the user's (site ids), not field names. */
  private static final Set<String> MAPS = Set.of("site_weights");

  /** One document: its policy, the line it starts on, and field path -> line. */
  record Document(RoutingPolicy policy, int line, Map<String, Integer> lines) {
    /** The line of {@code path}, or of its nearest enclosing field, else of the document. */
    int lineOf(String path) {
      for (String p = path; !p.isEmpty(); p = parent(p)) {
        Integer l = lines.get(p);
        if (l != null) {
          return l;
        }
      }
      return line;
    }

    private static String parent(String p) {
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      return cut < 0 ? "" : p.substring(0, cut);
    }
  }

  /** A document that is not a RoutingPolicy: where and why. */
  static final class BadDocument extends Exception {
    BadDocument(String message) {
      super(message);
    }
  }

  private PolicyDocuments() {}

  /** Every document of {@code text} ({@code source} names it in errors); empty documents are skipped. */
  static List<Document> parse(String source, String text) throws BadDocument {
    List<Document> out = new ArrayList<>();
    try (JsonParser p = new YAMLFactory().createParser(text)) {
      while (true) {
        JsonToken first = p.nextToken();
        if (first == null) {
          break;
        }
        int start = p.currentLocation().getLineNr();
        Map<String, Integer> lines = new HashMap<>();
        JsonNode node = read(p, first, "", lines);
        if (node == null || node.isNull() || node.isMissingNode()) {
          continue;
        }
        if (!node.isObject()) {
          throw new BadDocument(source + ":" + start + ": a policy must be a mapping, found " + node.getNodeType());
        }
        RoutingPolicy.Builder b = RoutingPolicy.newBuilder();
        try {
          PARSER.merge(MAPPER.writeValueAsString(node), b);
        } catch (InvalidProtocolBufferException e) {
          throw new BadDocument(source + ":" + start + ": not a RoutingPolicy: " + e.getMessage());
        }
        out.add(new Document(b.build(), start, lines));
      }
    } catch (IOException e) {
      throw new BadDocument(source + ": not YAML or JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    return out;
  }

  /** Reads the value starting at {@code token}, recording the line of each field path under {@code path}. */
  private static JsonNode read(JsonParser p, JsonToken token, String path, Map<String, Integer> lines) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        var obj = MAPPER.createObjectNode();
        boolean map = MAPS.contains(lastName(path));
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          int line = p.currentLocation().getLineNr();
          String child = map ? path + "[\"" + name + "\"]" : (path.isEmpty() ? "" : path + ".") + snake(name);
          lines.putIfAbsent(child, line);
          obj.set(name, read(p, p.nextToken(), child, lines));
        }
        return obj;
      }
      case START_ARRAY -> {
        var arr = MAPPER.createArrayNode();
        int i = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          String child = path + "[" + i++ + "]";
          lines.putIfAbsent(child, p.currentLocation().getLineNr());
          arr.add(read(p, t, child, lines));
        }
        return arr;
      }
      default -> {
        JsonNode value = MAPPER.readTree(p);
        if (value.isTextual() && isDuration(path)) {
          return MAPPER.getNodeFactory().textNode(protoDuration(value.asText()));
        }
        return value;
      }
    }
  }

  /** Whether {@code path} names a google.protobuf.Duration field of RoutingPolicy. */
  static boolean isDuration(String path) {
    com.google.protobuf.Descriptors.Descriptor d = RoutingPolicy.getDescriptor();
    com.google.protobuf.Descriptors.FieldDescriptor f = null;
    for (String part : path.replaceAll("\\[[^]]*]", "").split("\\.")) {
      if (d == null) {
        return false;
      }
      f = d.findFieldByName(part);
      if (f == null) {
        return false;
      }
      d = f.getJavaType() == com.google.protobuf.Descriptors.FieldDescriptor.JavaType.MESSAGE ? f.getMessageType() : null;
    }
    return f != null && d != null && d.getFullName().equals("google.protobuf.Duration");
  }

  /** Protobuf JSON's own form ("0.001000001s", "-5s"), kept as it is: Go's parser would round it. */
  private static final java.util.regex.Pattern PROTO_DURATION = java.util.regex.Pattern.compile("-?\\d+(\\.\\d{1,9})?s");

  /**
   * Go's "20ms", "1m30s" as protobuf JSON's "0.020s", "90s"; protobuf JSON's form and anything else unchanged, for
   * JsonFormat to read or report.
   */
  static String protoDuration(String text) {
    if (PROTO_DURATION.matcher(text.strip()).matches()) {
      return text.strip();
    }
    try {
      java.time.Duration d = dev.selat.emulator.http.GoDuration.parse(text.strip());
      return new java.math.BigDecimal(d.getSeconds()).add(java.math.BigDecimal.valueOf(d.getNano(), 9))
          .stripTrailingZeros().toPlainString() + "s";
    } catch (RuntimeException e) {
      return text;
    }
  }

  private static String lastName(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? path : path.substring(dot + 1);
  }

  /** lowerCamel to the proto's snake_case ({@code siteWeights} -> {@code site_weights}, {@code consecutive5xx} stays). */
  static String snake(String name) {
    StringBuilder b = new StringBuilder();
    for (char c : name.toCharArray()) {
      if (Character.isUpperCase(c)) {
        b.append('_').append(Character.toLowerCase(c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
