package dev.selat.emulator.state;

import com.fasterxml.jackson.databind.JsonNode;

/** A node's network coordinate (Vivaldi vector as Consul's api.Coordinate JSON). */
public record Coordinate(String node, String segment, JsonNode coord) {
  public static String key(String node, String segment) {
    return Table.nodeKey(node, segment == null ? "" : segment);
  }
}
