package dev.selat.controlplane.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.util.JsonFormat;
import dev.selat.proto.v1.RoutingPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Edits of a policy in its protobuf JSON form, in the proto's field names (the names violations use), joined by
 * {@code " ; "}: {@code PATH = JSON} sets, {@code PATH += JSON} appends to a list, {@code PATH -} removes. A PATH is
 * {@code a.b}, {@code list[0].c} or {@code map["key"]} (the key JSON-escaped). What bad-policies.table's rows say.
 */
final class PolicyEdits {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern STEP = Pattern.compile("\\.?([a-z0-9_]+)|\\[(\\d+)]|\\[(\"(?:[^\"\\\\]|\\\\.)*\")]");

  private PolicyEdits() {}

  static RoutingPolicy apply(RoutingPolicy base, String edits) throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(JsonFormat.printer().preservingProtoFieldNames().print(base));
    for (String edit : edits.split(" ; ")) {
      edit = edit.strip();
      int set = edit.indexOf(" = ");
      int add = edit.indexOf(" += ");
      boolean remove = edit.endsWith(" -");
      String path = remove ? edit.substring(0, edit.length() - 2) : edit.substring(0, add >= 0 ? add : set);
      if (!remove && set < 0 && add < 0) {
        throw new IllegalArgumentException("not an edit (PATH = JSON, PATH += JSON, PATH -): " + edit);
      }
      List<Object> steps = steps(path);
      JsonNode parent = root;
      for (int i = 0; i < steps.size() - 1; i++) {
        parent = child(parent, steps.get(i), steps.get(i + 1) instanceof Integer);
      }
      Object last = steps.getLast();
      if (remove) {
        if (last instanceof String name) {
          ((ObjectNode) parent).remove(name);
        } else {
          ((ArrayNode) parent).remove((Integer) last);
        }
      } else if (add >= 0) {
        ((ArrayNode) child(parent, last, true)).add(JSON.readTree(edit.substring(add + 4)));
      } else if (last instanceof String name) {
        ((ObjectNode) parent).set(name, JSON.readTree(edit.substring(set + 3)));
      } else {
        ((ArrayNode) parent).set((Integer) last, JSON.readTree(edit.substring(set + 3)));
      }
    }
    RoutingPolicy.Builder b = RoutingPolicy.newBuilder();
    JsonFormat.parser().merge(root.toString(), b);
    return b.build();
  }

  /** Field names and map keys as Strings, list indexes as Integers. */
  private static List<Object> steps(String path) throws Exception {
    List<Object> steps = new ArrayList<>();
    Matcher m = STEP.matcher(path);
    int at = 0;
    while (at < path.length() && m.find(at) && m.start() == at) {
      steps.add(m.group(1) != null ? m.group(1)
          : m.group(2) != null ? (Object) Integer.valueOf(m.group(2)) : JSON.readTree(m.group(3)).asText());
      at = m.end();
    }
    if (at != path.length() || steps.isEmpty()) {
      throw new IllegalArgumentException("not a path: " + path);
    }
    return steps;
  }

  /** The member or element at {@code step}, created (a list or an object) when a field is missing. */
  private static JsonNode child(JsonNode parent, Object step, boolean list) {
    if (step instanceof Integer i) {
      return parent.get(i);
    }
    ObjectNode o = (ObjectNode) parent;
    JsonNode c = o.get((String) step);
    if (c == null) {
      c = list ? o.putArray((String) step) : o.putObject((String) step);
    }
    return c;
  }
}
