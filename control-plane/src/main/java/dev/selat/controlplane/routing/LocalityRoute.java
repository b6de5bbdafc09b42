package dev.selat.controlplane.routing;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One site's locality in a service's assignment for one client site.
 *
 * @param site the site (EDS locality zone)
 * @param region the site's region (EDS locality region)
 * @param priority 0 is tried first
 * @param weight the locality's load-balancing weight within its priority (>= 1)
 * @param endpoints sorted by id
 */
public record LocalityRoute(String site, String region, int priority, int weight, List<RoutedEndpoint> endpoints) {
  public LocalityRoute {
    requireNonNull(site, "site");
    requireNonNull(region, "region");
    endpoints = List.copyOf(endpoints);
  }

  long healthyCount() {
    return endpoints.stream().filter(e -> e.health().available()).count();
  }
}
