package dev.selat.consul;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The meters of one site, tagged {@code site}: {@code selat.consul.site.sync.state} (tag state, 1 for the current one),
 * {@code selat.consul.site.data.age}, {@code selat.consul.queries.in.flight} (tag kind: blocking | fetch),
 * {@code selat.consul.query.latency} and {@code selat.consul.query.errors} (tag endpoint), {@code
 * selat.consul.index.resets} (tag endpoint), {@code selat.consul.last.contact}, {@code selat.consul.known.leader},
 * {@code selat.consul.site.services}, {@code selat.consul.site.instances}. Thread-safe; {@link #close} removes them.
 */
final class SiteMetrics implements AutoCloseable {
  private final String siteId;
  private final MeterRegistry registry;
  private final Tags tags;
  private final AtomicInteger blockingInFlight = new AtomicInteger();
  private final AtomicInteger fetchesInFlight = new AtomicInteger();
  private final AtomicLong lastContactMillis = new AtomicLong();
  private final AtomicInteger knownLeader = new AtomicInteger(1);
  private final AtomicInteger services = new AtomicInteger();
  private final AtomicInteger instances = new AtomicInteger();

  SiteMetrics(String siteId, MeterRegistry registry, Clock clock, Supplier<SiteFreshness> freshness) {
    this.siteId = siteId;
    this.registry = registry;
    this.tags = Tags.of("site", siteId);
    for (SyncState s : SyncState.values()) {
      // Strong references: nothing else holds the supplier, and a weakly held one reads NaN after a GC.
      Gauge.builder("selat.consul.site.sync.state", freshness, f -> f.get().state() == s ? 1 : 0)
          .strongReference(true)
          .tags(tags.and("state", s.name().toLowerCase(java.util.Locale.ROOT)))
          .description("1 for the site's current sync state, 0 for the others").register(registry);
    }
    TimeGauge.builder("selat.consul.site.data.age", freshness, TimeUnit.MILLISECONDS,
            f -> f.get().age(clock.instant()).toMillis())
        .strongReference(true)
        .tags(tags).description("Time since the site's catalog was last known to be current; 0 while synced")
        .register(registry);
    Gauge.builder("selat.consul.queries.in.flight", blockingInFlight, AtomicInteger::get).tags(tags.and("kind", "blocking"))
        .description("Consul requests waiting for an answer: blocking queries (watches) or fetches").register(registry);
    Gauge.builder("selat.consul.queries.in.flight", fetchesInFlight, AtomicInteger::get).tags(tags.and("kind", "fetch"))
        .description("Consul requests waiting for an answer: blocking queries (watches) or fetches").register(registry);
    TimeGauge.builder("selat.consul.last.contact", lastContactMillis, TimeUnit.MILLISECONDS, AtomicLong::get).tags(tags)
        .description("X-Consul-LastContact of the latest answer (stale reads)").register(registry);
    Gauge.builder("selat.consul.known.leader", knownLeader, AtomicInteger::get).tags(tags)
        .description("X-Consul-KnownLeader of the latest answer, 1 or 0").register(registry);
    Gauge.builder("selat.consul.site.services", services, AtomicInteger::get).tags(tags)
        .description("Selected services in the site's latest catalog").register(registry);
    Gauge.builder("selat.consul.site.instances", instances, AtomicInteger::get).tags(tags)
        .description("Selected instances in the site's latest catalog").register(registry);
  }

  String siteId() {
    return siteId;
  }

  /** {@code blocking}: a watch's query; otherwise a plain fetch. */
  void queryStarted(boolean blocking) {
    (blocking ? blockingInFlight : fetchesInFlight).incrementAndGet();
  }

  void queryFinished(boolean blocking, String endpoint, Duration latency, boolean ok) {
    (blocking ? blockingInFlight : fetchesInFlight).decrementAndGet();
    Timer.builder("selat.consul.query.latency").tags(tags.and("endpoint", endpoint))
        .description("Time to answer a Consul request, blocking time included").register(registry).record(latency);
    if (!ok) {
      Counter.builder("selat.consul.query.errors").tags(tags.and("endpoint", endpoint))
          .description("Consul requests that failed").register(registry).increment();
    }
  }

  void indexReset(String endpoint) {
    Counter.builder("selat.consul.index.resets").tags(tags.and("endpoint", endpoint))
        .description("Blocking queries whose index went backwards and were reset").register(registry).increment();
  }

  void leader(boolean known, Duration lastContact) {
    knownLeader.set(known ? 1 : 0);
    lastContactMillis.set(lastContact.toMillis());
  }

  void catalog(SiteCatalog catalog) {
    services.set(catalog.services().size());
    instances.set(catalog.instanceCount());
  }

  /** Removes the site's meters, so a site watched again later on this registry reports its own state. */
  @Override
  public void close() {
    registry.getMeters().stream()
        .filter(m -> m.getId().getName().startsWith("selat.consul.") && siteId.equals(m.getId().getTag("site")))
        .toList()
        .forEach(registry::remove);
  }
}
