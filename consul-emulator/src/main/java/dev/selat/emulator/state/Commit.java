package dev.selat.emulator.state;

import java.util.List;
import java.util.Map;

/** One committed write: its index, the rows it changed (null row = deleted), the indexes it set. */
public record Commit(long index, List<Change> changes, Map<String, Long> indexes) {
  public record Change(Table table, String key, Object row) {}
}
