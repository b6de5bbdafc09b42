package dev.selat.emulator.state;

import java.util.List;
import java.util.Map;

/** Everything in the store at one index: what snapshots save and restore. */
public record StateImage(long lastIndex, Map<String, Long> indexes, Map<Table, List<Object>> rows) {
  public StateImage {
    indexes = Map.copyOf(indexes);
    rows = Map.copyOf(rows);
  }
}
