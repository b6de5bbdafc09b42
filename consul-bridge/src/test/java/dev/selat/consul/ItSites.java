package dev.selat.consul;

import dev.selat.testkit.ConsulSite;
import java.net.URI;
import java.time.Duration;

/** Site configs for ITs: quick retries and a 1 s token refill, so a sequence of changes is not paced at 15 s. */
final class ItSites {
  static final Duration BOUND = Duration.ofSeconds(30);

  private ItSites() {}

  static SiteConfig.Builder config(String siteId, URI address) {
    return SiteConfig.builder(siteId, "region-" + siteId)
        .addresses(java.util.List.of(address))
        .datacenter(siteId)
        .rateLimit(new WatchRateLimit(2, Duration.ofSeconds(1)))
        .backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
        .blockingWait(Duration.ofSeconds(10))
        .startBudget(Duration.ofSeconds(20));
  }

  static SiteConfig.Builder config(ConsulSite site) {
    return config(site.datacenter(), site.httpAddress());
  }
}
