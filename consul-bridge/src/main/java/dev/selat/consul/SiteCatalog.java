package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of one site: its selected services keyed by name. {@code generation} only rises for a site;
 * {@code delta} says which services changed since the snapshot the receiving listener saw before.
 */
public record SiteCatalog(
    String siteId,
    String region,
    long generation,
    Map<String, ServiceEntry> services,
    CatalogDelta delta,
    SiteFreshness freshness) {

  public SiteCatalog {
    requireNonNull(siteId, "siteId");
    requireNonNull(region, "region");
    if (generation < 0) {
      throw new IllegalArgumentException("generation: must be >= 0, was " + generation);
    }
    services = Map.copyOf(services);
    requireNonNull(delta, "delta");
    requireNonNull(freshness, "freshness");
  }

  public Optional<ServiceEntry> service(String name) {
    return Optional.ofNullable(services.get(name));
  }

  public int instanceCount() {
    return services.values().stream().mapToInt(e -> e.instances().size()).sum();
  }

  SiteCatalog withDelta(CatalogDelta newDelta) {
    return new SiteCatalog(siteId, region, generation, services, newDelta, freshness);
  }
}
