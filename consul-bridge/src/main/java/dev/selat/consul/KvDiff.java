package dev.selat.consul;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns successive full reads of a KV prefix into changes: new or modified keys, then deleted ones. Not thread-safe. */
final class KvDiff {
  private Map<String, KvEntry> known = Map.of();

  List<KvChange> apply(List<KvEntry> read) {
    Map<String, KvEntry> next = new HashMap<>();
    List<KvChange> changes = new ArrayList<>();
    for (KvEntry e : read) {
      next.put(e.key(), e);
      KvEntry before = known.get(e.key());
      if (before == null || before.modifyIndex() != e.modifyIndex() || !before.value().equals(e.value())) {
        changes.add(new KvChange(e.key(), e.value(), e.modifyIndex(), false));
      }
    }
    known.forEach((key, e) -> {
      if (!next.containsKey(key)) {
        changes.add(new KvChange(key, Optional.empty(), e.modifyIndex(), true));
      }
    });
    known = next;
    return changes;
  }
}
