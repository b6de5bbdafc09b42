package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Watches the Consul of every configured site and publishes one {@link SiteCatalog} stream per site. Sites are
 * independent: each has its own owner thread, connection pool and sync state. Thread-safe.
 */
public final class ConsulBridge implements AutoCloseable {
  private final Map<String, SiteWatcher> sites;

  private ConsulBridge(Map<String, SiteWatcher> sites) {
    this.sites = sites;
  }

  /** Starts watching; {@code clock} dates the sync states, {@code registry} receives the per-site meters. */
  public static ConsulBridge start(List<SiteConfig> configs, MeterRegistry registry, Clock clock) {
    return start(configs, registry, clock, EcwidSiteReader::new);
  }

  static ConsulBridge start(List<SiteConfig> configs, MeterRegistry registry, Clock clock,
      java.util.function.Function<SiteConfig, SiteReader> readers) {
    requireNonNull(registry, "registry");
    requireNonNull(clock, "clock");
    if (configs.isEmpty()) {
      throw new ConsulConfigException("sites", "at least one site is required");
    }
    Map<String, SiteWatcher> sites = new LinkedHashMap<>();
    try {
      for (SiteConfig c : configs) {
        if (sites.containsKey(c.siteId())) {
          throw new ConsulConfigException("sites." + c.siteId(), "site id appears twice");
        }
        sites.put(c.siteId(), new SiteWatcher(c, readers.apply(c), clock, registry, RandomGenerator.getDefault()));
      }
    } catch (RuntimeException e) {
      // One bad site (say, an unreadable CA file) fails the start; the sites built so far are released.
      try {
        closeAll(sites.values());
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    sites.values().forEach(SiteWatcher::start);
    return new ConsulBridge(Map.copyOf(sites));
  }

  public Set<String> siteIds() {
    return sites.keySet();
  }

  /**
   * Delivers every site's catalogs to {@code listener}, latest state wins per site: a listener that is slow skips
   * intermediate catalogs, and each catalog's delta covers what changed since the one it saw before. The current
   * catalog, if any, is delivered at once.
   */
  public void addListener(Consumer<SiteCatalog> listener) {
    requireNonNull(listener, "listener");
    sites.values().forEach(s -> s.addListener(listener));
  }

  /** Watches the keys under {@code prefix} in one site; {@code listener} must return quickly (it runs on the site's thread). */
  public void watchKv(String siteId, String prefix, Consumer<List<KvChange>> listener) {
    requireNonNull(prefix, "prefix");
    requireNonNull(listener, "listener");
    site(siteId).watchKv(prefix, listener);
  }

  public SiteFreshness freshness(String siteId) {
    return site(siteId).freshness();
  }

  public Optional<SiteCatalog> latest(String siteId) {
    return site(siteId).latest();
  }

  /** The latest failed request of a site (its message names the site and endpoint), e.g. an ACL denial. */
  public Optional<ConsulQueryException> lastFailure(String siteId) {
    return site(siteId).lastFailure();
  }

  private SiteWatcher site(String siteId) {
    SiteWatcher s = sites.get(siteId);
    if (s == null) {
      throw new ConsulConfigException("siteId", "unknown site '" + siteId + "', known: " + sites.keySet());
    }
    return s;
  }

  /** Closes every site, even when closing one fails; the first failure is thrown, the others suppressed in it. */
  @Override
  public void close() {
    closeAll(sites.values());
  }

  private static void closeAll(Iterable<SiteWatcher> watchers) {
    RuntimeException failure = null;
    for (SiteWatcher watcher : watchers) {
      try {
        watcher.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
