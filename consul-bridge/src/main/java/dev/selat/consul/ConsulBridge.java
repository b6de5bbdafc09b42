package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Watches the Consul of every configured site and publishes one {@link SiteCatalog} stream per site. Sites are
 * independent: each has its own owner thread (one virtual thread), connection pool and sync state; its requests run
 * on virtual threads. Thread-safe.
 */
public final class ConsulBridge implements AutoCloseable {
  private final Map<String, Site> sites;

  /** A site's watcher and the executors the bridge made for it (and shuts down after it). */
  private record Site(SiteWatcher watcher, SiteReader reader, ScheduledThreadPoolExecutor owner, ExecutorService io) {
    void close() {
      try {
        watcher.close();
      } finally {
        owner.shutdownNow();
        io.shutdownNow();
      }
    }
  }

  private ConsulBridge(Map<String, Site> sites) {
    this.sites = sites;
  }

  /** Starts watching; {@code clock} dates the sync states, {@code registry} receives the per-site meters. */
  public static ConsulBridge start(List<SiteConfig> configs, MeterRegistry registry, Clock clock) {
    return start(configs, registry, clock, EcwidSiteReader::new);
  }

  static ConsulBridge start(List<SiteConfig> configs, MeterRegistry registry, Clock clock,
      Function<SiteConfig, SiteReader> readers) {
    requireNonNull(registry, "registry");
    requireNonNull(clock, "clock");
    if (configs.isEmpty()) {
      throw new ConsulConfigException("sites", "at least one site is required");
    }
    Map<String, Site> sites = new LinkedHashMap<>();
    try {
      for (SiteConfig c : configs) {
        if (sites.containsKey(c.siteId())) {
          throw new ConsulConfigException("sites." + c.siteId(), "site id appears twice");
        }
        sites.put(c.siteId(), site(c, readers.apply(c), registry, clock));
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
    sites.values().forEach(s -> s.watcher().start());
    return new ConsulBridge(Map.copyOf(sites));
  }

  private static Site site(SiteConfig c, SiteReader reader, MeterRegistry registry, Clock clock) {
    ScheduledThreadPoolExecutor owner = new ScheduledThreadPoolExecutor(1,
        Thread.ofVirtual().name("consul-site-" + c.siteId()).factory(), new ScheduledThreadPoolExecutor.DiscardPolicy());
    owner.setRemoveOnCancelPolicy(true);
    ExecutorService io = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("consul-io-" + c.siteId() + "-", 0).factory());
    try {
      // The scheduler's time is System.nanoTime, the ticker's too.
      return new Site(new SiteWatcher(c, reader, owner, io, Ticker.system(), clock, registry, RandomGenerator.getDefault()),
          reader, owner, io);
    } catch (RuntimeException e) {
      owner.shutdownNow();
      io.shutdownNow();
      throw e;
    }
  }

  public Set<String> siteIds() {
    return sites.keySet();
  }

  /**
   * Delivers every site's catalogs to {@code listener} on {@code executor} (as grpc-java's
   * {@code addListener(Runnable, Executor)}), latest state wins per site: a listener that is slow skips intermediate
   * catalogs, and each catalog's delta covers what changed since the one it saw before; one that throws is logged and
   * gets the next. Per site, calls come one at a time and in order; calls for different sites may run concurrently
   * unless {@code executor} is serial. The current catalog, if any, is delivered at once. A direct executor runs the
   * listener on the site's own thread: then it must return at once.
   */
  public void addListener(Executor executor, Consumer<SiteCatalog> listener) {
    requireNonNull(executor, "executor");
    requireNonNull(listener, "listener");
    sites.values().forEach(s -> s.watcher().addListener(executor, listener));
  }

  /**
   * Watches the keys under {@code prefix} (a key or a folder) in one site. {@code listener} gets a
   * {@link KvState#NOT_READ_YET} snapshot at once, then {@link KvState#EMPTY} or {@link KvState#PRESENT} once Consul
   * answered, then a snapshot whenever the keys change: on {@code executor}, one call at a time, latest state wins
   * (each snapshot's changes cover what changed since the one the listener saw before).
   */
  public void watchKv(String siteId, String prefix, Executor executor, Consumer<KvSnapshot> listener) {
    requireNonNull(prefix, "prefix");
    requireNonNull(executor, "executor");
    requireNonNull(listener, "listener");
    site(siteId).watchKv(prefix, executor, listener);
  }

  /**
   * Reads one key from a site's Consul (a consistent read, on the leader, whatever the site's read consistency), on the
   * calling thread: empty when absent. The writes below share the site's connection pool, token and TLS; each blocks
   * the calling thread (a virtual thread, ideally) and throws {@link ConsulQueryException} naming the site and path.
   */
  public Optional<KvEntry> readKv(String siteId, String key) {
    return reader(siteId).kvGet(requireNonNull(key, "key"));
  }

  /** Every key under {@code prefix} in a site's Consul, one read now (not a watch): empty when there is none. */
  public List<KvEntry> readKvPrefix(String siteId, String prefix) {
    return reader(siteId).kv(requireNonNull(prefix, "prefix"), 0, java.time.Duration.ZERO).value();
  }

  /** PUT /v1/kv/:key; with {@code cas}, only if the key's ModifyIndex is that (0: only if absent). Whether it was stored. */
  public boolean putKv(String siteId, String key, String value, java.util.OptionalLong cas) {
    return reader(siteId).kvPut(requireNonNull(key, "key"), requireNonNull(value, "value"), requireNonNull(cas, "cas"));
  }

  /** DELETE /v1/kv/:key; with {@code cas}, only if the key's ModifyIndex is that. Whether it is gone. */
  public boolean deleteKv(String siteId, String key, java.util.OptionalLong cas) {
    return reader(siteId).kvDelete(requireNonNull(key, "key"), requireNonNull(cas, "cas"));
  }

  /** PUT /v1/txn: the operations applied all or nothing (Consul allows at most 128 per transaction). */
  public TxnResult txn(String siteId, List<KvOp> ops) {
    return reader(siteId).txn(List.copyOf(ops));
  }

  private SiteReader reader(String siteId) {
    site(siteId);
    return sites.get(siteId).reader();
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
    Site s = sites.get(siteId);
    if (s == null) {
      throw new ConsulConfigException("siteId", "unknown site '" + siteId + "', known: " + sites.keySet());
    }
    return s.watcher();
  }

  /** Closes every site, even when closing one fails; the first failure is thrown, the others suppressed in it. */
  @Override
  public void close() {
    closeAll(sites.values());
  }

  private static void closeAll(Iterable<Site> sites) {
    RuntimeException failure = null;
    for (Site site : sites) {
      try {
        site.close();
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
