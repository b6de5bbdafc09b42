package dev.selat.controlplane.routing;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the brain needs for policies besides the catalogs and latency: the policies, the links each pair's path crosses
 * (for {@code avoid_links}), and the time (for migration ramps).
 *
 * @param policies every stored policy
 * @param paths (client site, instance site) -> the names of the links on the path between them
 * @param now the time a migration's percent is computed at
 */
public record PolicyInput(List<Policy> policies, Map<SitePair, List<String>> paths, Instant now) {
  public static final PolicyInput NONE = new PolicyInput(List.of(), Map.of(), Instant.EPOCH);

  public PolicyInput {
    policies = List.copyOf(policies);
    paths = java.util.Collections.unmodifiableMap(new TreeMap<>(paths));
    requireNonNull(now, "now");
  }

  public PolicyInput withPolicies(List<Policy> next) {
    return new PolicyInput(next, paths, now);
  }

  public PolicyInput at(Instant time) {
    return new PolicyInput(policies, paths, time);
  }

  List<String> links(String from, String to) {
    return paths.getOrDefault(new SitePair(from, to), List.of());
  }
}
