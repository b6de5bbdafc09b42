package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one KV watch knows of its prefix in one site: {@link KvState#NOT_READ_YET} until Consul first answers, then
 * {@link KvState#EMPTY} (no key under the prefix) or {@link KvState#PRESENT} with its keys. A failing read keeps the
 * last snapshot: the keys stay as last read. {@code changes} are the writes and deletes since the snapshot the listener
 * received before (every key, as a write, in the first snapshot read from Consul). Immutable.
 */
public record KvSnapshot(String siteId, String prefix, KvState state, Map<String, KvEntry> entries,
    List<KvChange> changes) {
  public KvSnapshot {
    requireNonNull(siteId, "siteId");
    requireNonNull(prefix, "prefix");
    requireNonNull(state, "state");
    entries = Map.copyOf(entries);
    changes = List.copyOf(changes);
    if ((state == KvState.PRESENT) == entries.isEmpty()) {
      throw new IllegalArgumentException("entries: " + state + " with " + entries.size() + " keys");
    }
    if (state == KvState.NOT_READ_YET && !changes.isEmpty()) {
      throw new IllegalArgumentException("changes: nothing was read yet");
    }
  }

  static KvSnapshot notReadYet(String siteId, String prefix) {
    return new KvSnapshot(siteId, prefix, KvState.NOT_READ_YET, Map.of(), List.of());
  }

  /** The snapshot of one answer (no changes yet: they depend on what a listener saw before). */
  static KvSnapshot read(String siteId, String prefix, List<KvEntry> read) {
    Map<String, KvEntry> entries = new LinkedHashMap<>();
    read.forEach(e -> entries.put(e.key(), e));
    return new KvSnapshot(siteId, prefix, entries.isEmpty() ? KvState.EMPTY : KvState.PRESENT, entries, List.of());
  }

  /** This snapshot as seen by a listener whose last one was {@code before}. */
  KvSnapshot after(KvSnapshot before) {
    return new KvSnapshot(siteId, prefix, state, entries, KvChange.between(before.entries(), entries));
  }

  /** Whether a listener that saw {@code before} needs this one: the first answer, or other keys or values. */
  boolean differsFrom(KvSnapshot before) {
    return state != before.state() || !entries.equals(before.entries());
  }

  /** The value of {@code key}; empty when the key is absent or its value is null. */
  public Optional<String> value(String key) {
    KvEntry e = entries.get(key);
    return e == null ? Optional.empty() : e.value();
  }
}
