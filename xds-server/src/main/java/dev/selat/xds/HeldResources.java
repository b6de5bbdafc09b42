package dev.selat.xds;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What one client holds of one resource type, by name. While it equals the snapshot's own
 * (immutable) map, it is that map: 10,000 streams in sync cost one map, not 10,000 copies. The
 * first change after that copies it (copy on write). Owned by one stream's executor.
 *
 * @param <V> what is held per name: the resource (SotW) or its version (Delta)
 */
final class HeldResources<V> {
  private Map<String, V> map = Map.of();
  /** The map is not ours to change: the first write copies it. */
  private boolean shared = true;
  /** The map is a snapshot's own: {@link #shareIfEqual} has nothing to gain and compares nothing. */
  private boolean snapshotMap;

  V get(String name) {
    return map.get(name);
  }

  boolean isEmpty() {
    return map.isEmpty();
  }

  Set<String> names() {
    return Collections.unmodifiableSet(map.keySet());
  }

  Map<String, V> asMap() {
    return Collections.unmodifiableMap(map);
  }

  Collection<V> values() {
    return Collections.unmodifiableCollection(map.values());
  }

  void put(String name, V value) {
    own().put(name, value);
  }

  void putAll(Map<String, V> entries) {
    if (!entries.isEmpty()) {
      own().putAll(entries);
    }
  }

  void remove(String name) {
    if (map.containsKey(name)) {
      own().remove(name);
    }
  }

  /** Drops every name {@code keep} rejects. */
  void retainNames(Predicate<String> keep) {
    for (String name : map.keySet()) {
      if (!keep.test(name)) {
        own().keySet().removeIf(n -> !keep.test(n));
        return;
      }
    }
  }

  /** Replaces everything with {@code entries}, which must not change afterwards. */
  void replaceWith(Map<String, V> entries) {
    map = entries;
    shared = true;
    snapshotMap = false;
  }

  /**
   * Replaces everything with a snapshot's own map. If a newer snapshot is out, the stream's next
   * push finds what changed since from the snapshot's change list; no comparison is needed.
   */
  void share(Map<String, V> snapshotEntries) {
    map = snapshotEntries;
    shared = true;
    snapshotMap = true;
  }

  /** True while this holds exactly {@code reference}, the same map instance (a cheap "in sync"). */
  boolean isSharing(Map<String, V> reference) {
    return map == reference;
  }

  /**
   * Shares {@code reference} (an immutable snapshot map) in place of an equal map of our own;
   * a snapshot's map is left as it is.
   */
  void shareIfEqual(Map<String, V> reference) {
    if (!snapshotMap && map != reference && map.size() == reference.size() && map.equals(reference)) {
      share(reference);
    }
  }

  private Map<String, V> own() {
    if (shared) {
      map = new HashMap<>(map);
      shared = false;
      snapshotMap = false;
    }
    return map;
  }
}
