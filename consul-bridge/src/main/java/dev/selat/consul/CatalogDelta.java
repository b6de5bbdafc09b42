package dev.selat.consul;

import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Service names that changed (added or modified) and that were removed between two catalogs of one site. */
public record CatalogDelta(Set<String> changed, Set<String> removed) {
  public static final CatalogDelta NONE = new CatalogDelta(Set.of(), Set.of());

  public CatalogDelta {
    changed = Set.copyOf(changed);
    removed = Set.copyOf(removed);
  }

  public boolean isEmpty() {
    return changed.isEmpty() && removed.isEmpty();
  }

  /** The delta that turns {@code before} into {@code after}; unchanged entries are usually the same objects, so this is cheap. */
  public static CatalogDelta between(Map<String, ServiceEntry> before, Map<String, ServiceEntry> after) {
    Set<String> changed = new HashSet<>();
    after.forEach((name, entry) -> {
      if (!Objects.equals(before.get(name), entry)) {
        changed.add(name);
      }
    });
    Set<String> removed = new HashSet<>(before.keySet());
    removed.removeAll(after.keySet());
    return new CatalogDelta(changed, removed);
  }
}
