package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** One key under a watched prefix that was written ({@code value} present) or deleted. */
public record KvChange(String key, Optional<String> value, long modifyIndex, boolean deleted) {
  public KvChange {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    if (deleted && value.isPresent()) {
      throw new IllegalArgumentException("value: a deleted key has no value");
    }
  }

  /** What turns {@code before} into {@code after}: new or modified keys, then deleted ones, each in key order. */
  static List<KvChange> between(Map<String, KvEntry> before, Map<String, KvEntry> after) {
    List<KvChange> changes = new ArrayList<>();
    for (String key : new TreeSet<>(after.keySet())) {
      KvEntry now = after.get(key);
      if (!now.equals(before.get(key))) {
        changes.add(new KvChange(key, now.value(), now.modifyIndex(), false));
      }
    }
    for (String key : new TreeSet<>(before.keySet())) {
      if (!after.containsKey(key)) {
        changes.add(new KvChange(key, Optional.empty(), before.get(key).modifyIndex(), true));
      }
    }
    return changes;
  }
}
