package dev.selat.controlplane.routing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One site's catalog as the brain takes it.
 *
 * @param site the site id
 * @param region the site's region (the EDS locality region)
 * @param services service name -> instances, sorted by id
 * @param dataAge how old the catalog is: zero while the site's Consul answers, else the time since it stopped
 * @param expired whether the catalog is past the site's staleness budget
 * @param expiredMode what an expired catalog means for routing
 * @param gateway how clients in other sites reach the site's instances, when through a gateway
 */
public record SiteInput(String site, String region, Map<String, List<Instance>> services, Duration dataAge,
    boolean expired, ExpiredMode expiredMode, Optional<Gateway> gateway) {
  public SiteInput {
    requireNonNull(site, "site");
    requireNonNull(region, "region");
    requireNonNull(dataAge, "dataAge");
    requireNonNull(expiredMode, "expiredMode");
    requireNonNull(gateway, "gateway");
    TreeMap<String, List<Instance>> sorted = new TreeMap<>();
    services.forEach((name, instances) -> sorted.put(name, instances.stream()
        .sorted(java.util.Comparator.comparing(Instance::id)).toList()));
    services = java.util.Collections.unmodifiableMap(sorted);
  }

  /** A site reached directly (flat addressing). */
  public SiteInput(String site, String region, Map<String, List<Instance>> services, Duration dataAge, boolean expired,
      ExpiredMode expiredMode) {
    this(site, region, services, dataAge, expired, expiredMode, Optional.empty());
  }

  /** This site, reached through {@code gateway} from other sites. */
  public SiteInput withGateway(Gateway gateway) {
    return new SiteInput(site, region, services, dataAge, expired, expiredMode, Optional.of(gateway));
  }

  /** A fresh site. */
  public static SiteInput fresh(String site, String region, Map<String, List<Instance>> services) {
    return new SiteInput(site, region, services, Duration.ZERO, false, ExpiredMode.FREEZE);
  }

  List<Instance> instances(String service) {
    return Optional.ofNullable(services.get(service)).orElse(List.of());
  }
}
