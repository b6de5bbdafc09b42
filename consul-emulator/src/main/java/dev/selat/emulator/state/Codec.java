package dev.selat.emulator.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The on-disk JSON of commits (WAL records) and images (snapshots): rows are written with their
 * table, so they read back as their record types. Snapshot format (documented for users):
 * {"lastIndex": N, "indexes": {name: index}, "rows": {"KVS": [...], "NODES": [...], ...}}.
 */
public final class Codec {
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private Codec() {}

  public static byte[] commit(Commit c) throws IOException {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("index", c.index());
    ArrayNode changes = n.putArray("changes");
    for (Commit.Change ch : c.changes()) {
      ObjectNode o = changes.addObject();
      o.put("t", ch.table().name());
      o.put("k", ch.key());
      o.set("v", ch.row() == null ? null : MAPPER.valueToTree(ch.row()));
    }
    n.set("indexes", MAPPER.valueToTree(c.indexes()));
    return MAPPER.writeValueAsBytes(n);
  }

  public static Commit commit(byte[] bytes) throws IOException {
    JsonNode n = MAPPER.readTree(bytes);
    List<Commit.Change> changes = new ArrayList<>();
    for (JsonNode o : n.get("changes")) {
      Table t = Table.valueOf(o.get("t").asText());
      JsonNode v = o.get("v");
      changes.add(new Commit.Change(t, o.get("k").asText(),
          v == null || v.isNull() ? null : MAPPER.treeToValue(v, t.rowType())));
    }
    return new Commit(n.get("index").asLong(), changes, indexes(n.get("indexes")));
  }

  public static byte[] image(StateImage image) throws IOException {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("lastIndex", image.lastIndex());
    n.set("indexes", MAPPER.valueToTree(image.indexes()));
    ObjectNode rows = n.putObject("rows");
    image.rows().forEach((t, list) -> rows.set(t.name(), MAPPER.valueToTree(list)));
    return MAPPER.writeValueAsBytes(n);
  }

  public static StateImage image(byte[] bytes) throws IOException {
    JsonNode n = MAPPER.readTree(bytes);
    if (n == null || !n.has("lastIndex") || !n.has("rows")) {
      throw new IOException("not a Selat emulator snapshot (lastIndex and rows missing)");
    }
    Map<Table, List<Object>> rows = new EnumMap<>(Table.class);
    for (Iterator<Map.Entry<String, JsonNode>> it = n.get("rows").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Table t;
      try {
        t = Table.valueOf(e.getKey());
      } catch (IllegalArgumentException ex) {
        throw new IOException("unknown table in snapshot: " + e.getKey());
      }
      List<Object> list = new ArrayList<>();
      for (JsonNode r : e.getValue()) {
        list.add(MAPPER.treeToValue(r, t.rowType()));
      }
      rows.put(t, list);
    }
    return new StateImage(n.get("lastIndex").asLong(), indexes(n.get("indexes")), rows);
  }

  private static Map<String, Long> indexes(JsonNode n) {
    Map<String, Long> out = new HashMap<>();
    if (n != null) {
      n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
    }
    return out;
  }
}
