package dev.selat.consul;

import java.util.Map;
import java.util.Set;

/** Selects the instances whose tags include all of {@code tags} and whose meta include all of {@code meta}; empty selects all. */
public record ServiceSelector(Set<String> tags, Map<String, String> meta) {
  public static final ServiceSelector ALL = new ServiceSelector(Set.of(), Map.of());

  public ServiceSelector {
    tags = Set.copyOf(tags);
    meta = Map.copyOf(meta);
  }

  public boolean matches(ServiceInstance instance) {
    return instance.tags().containsAll(tags) && instance.meta().entrySet().containsAll(meta.entrySet());
  }

  /** Whether a service whose instances carry (together) {@code serviceTags} may have a selected instance. */
  boolean mayMatch(Iterable<String> serviceTags) {
    Set<String> missing = new java.util.HashSet<>(tags);
    serviceTags.forEach(missing::remove);
    return missing.isEmpty();
  }
}
