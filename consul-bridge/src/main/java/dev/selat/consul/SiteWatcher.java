package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one site's Consul and publishes its {@link SiteCatalog}s.
 *
 * <p>Two blocking queries per site: the service list ({@code /v1/catalog/services}) says which services exist, the
 * health state ({@code /v1/health/state/any}) says, by each check's ModifyIndex, which services' health changed. Only
 * the services that changed are then fetched ({@code /v1/health/service/:s}, plain reads), at most
 * {@code maxConnections - 2 - kvWatches} at a time. A service-list index that rises with no name or tag change (a
 * registration change that touched no check, e.g. a new address) makes every selected service be fetched again.
 *
 * <p>Leadership: an answer of either catalog watch from a server that knows no leader, or that last heard from its
 * leader more than {@code maxStale} ago, is applied but keeps the site stale (not synced, before the first sync) until
 * an answer from a server in touch with its leader; the staleness budget runs meanwhile, as during an outage. It is
 * logged once per episode, naming the site.
 *
 * <p>Threading and time: all state is owned by one serial scheduler per site, given by the caller (who keeps it: the
 * bridge gives each site a single virtual thread; tests a fake scheduler); requests run on the {@code io} executor
 * (virtual threads) and post their results back to it. Durations (rate limits, backoff, budgets, latencies) are
 * measured on the monotonic {@link Ticker}, which must be the scheduler's own time; the {@link Clock} only dates what
 * people read ({@link SiteFreshness#staleSince}). Listeners are called on the executor each one gives, latest state
 * wins, so a slow or failing listener never holds up the site.
 */
final class SiteWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SiteWatcher.class);

  private final SiteConfig config;
  private final SiteReader reader;
  private final Ticker ticker;
  private final Clock clock;
  private final RandomGenerator random;
  private final SiteMetrics metrics;
  private final SiteExecutor owner;
  private final Executor io;
  private final List<LatestDelivery<SiteCatalog>> listeners = new ArrayList<>();
  private final Backoff fetchBackoff;
  /** KV prefix watches, each holding one connection; written by callers, read by the owner. */
  private final AtomicInteger kvWatches = new AtomicInteger();

  // Owned by the owner executor.
  private final ChangeTracker tracker;
  /** X-Consul-Index of the latest service list. */
  private long servicesIndex;
  private final Set<String> fetching = new HashSet<>();
  private final Set<String> retrying = new HashSet<>();
  private final Set<String> failing = new HashSet<>();
  /** Catalog watches whose latest answer came from a server without a leader, or from one too stale: endpoint -> why. */
  private final Map<String, String> lagging = new HashMap<>();
  private boolean syncedOnce;
  private boolean startBudgetSpent;
  /** When the data was last known current: for people (the clock) and for the budget (the ticker). */
  private Instant staleSince;
  private long staleSinceNanos;
  /** Failure messages already logged during the current outage. */
  private final Set<String> reported = new HashSet<>();
  private long generation;
  private SiteCatalog published;

  private volatile SiteFreshness freshness = SiteFreshness.SYNCING;
  private volatile Optional<ConsulQueryException> lastFailure = Optional.empty();
  private volatile SiteCatalog latest;

  /**
   * {@code scheduler} runs one task at a time and is the caller's to shut down; {@code ticker} reads its time. {@code io}
   * runs the blocking requests (one thread each while they block).
   */
  SiteWatcher(SiteConfig config, SiteReader reader, ScheduledExecutorService scheduler, Executor io, Ticker ticker,
      Clock clock, MeterRegistry registry, RandomGenerator random) {
    this.config = requireNonNull(config, "config");
    this.reader = requireNonNull(reader, "reader");
    this.owner = new SiteExecutor(scheduler);
    this.io = requireNonNull(io, "io");
    this.ticker = requireNonNull(ticker, "ticker");
    this.clock = requireNonNull(clock, "clock");
    this.random = requireNonNull(random, "random");
    this.metrics = new SiteMetrics(config.siteId(), registry, clock, () -> freshness);
    this.tracker = new ChangeTracker(config.selector());
    this.fetchBackoff = new Backoff(config.backoffBase(), config.backoffCap(), random);
  }

  void start() {
    owner.execute(() -> {
      publish();
      catalogWatch("services", idx -> reader.services(idx, config.blockingWait()), r -> {
        tracker.onServices(r.value(), r.index() != servicesIndex);
        servicesIndex = r.index();
        retrying.removeIf(name -> !tracker.isSelected(name));
      });
      catalogWatch("health_state", idx -> reader.healthState(idx, config.blockingWait()), r -> tracker.onChecks(r.value()));
      owner.schedule(() -> {
        startBudgetSpent = true;
        refresh();
      }, config.startBudget());
    });
  }

  /** A watch whose failures, and answers from a server out of touch with its leader, make the site's catalog stale. */
  private <T> void catalogWatch(String endpoint, LongFunction<QueryResult<T>> query, Consumer<QueryResult<T>> onResult) {
    new BlockingWatch<>(endpoint, config, owner, io, ticker, random, metrics, query, r -> {
      failing.remove(endpoint);
      checkLeader(endpoint, r);
      onResult.accept(r);
      refresh();
    }, e -> failed(endpoint, e)).start();
  }

  /**
   * An answer is used either way, but one from a server that knows no leader (a cluster that lost quorum, read with
   * {@code ?stale}), or from a follower that last heard from its leader longer than {@code maxStale} ago, may be out of
   * date: until a server in touch with its leader answers, the site's data is stale (kept; its budget runs).
   */
  private void checkLeader(String endpoint, QueryResult<?> r) {
    String why;
    if (!r.knownLeader()) {
      why = "Consul reports no known leader (X-Consul-KnownLeader: false)";
    } else if (r.lastContact().compareTo(config.maxStale()) > 0) {
      why = "the answering Consul server last heard from its leader " + r.lastContact().toMillis()
          + " ms ago (X-Consul-LastContact), more than maxStale " + config.maxStale().toMillis() + " ms";
    } else {
      lagging.remove(endpoint);
      return;
    }
    boolean started = lagging.put(endpoint, why) == null;
    if (started && reported.add(r.knownLeader() ? "stale follower" : "no leader")) {
      log.warn("site {}: {}; its data is kept but marked stale until a server in touch with its leader answers",
          config.siteId(), why);
    }
  }

  /**
   * Registers on the owner thread, which makes every offer, so a listener never sees an older catalog after a newer one.
   * The listener runs on {@code executor}; a slow one skips catalogs, it never holds up the site.
   */
  void addListener(Executor executor, Consumer<SiteCatalog> listener) {
    LatestDelivery<SiteCatalog> d = LatestDelivery.ofCatalogs(config.siteId(), executor, listener);
    owner.execute(() -> {
      listeners.add(d);
      if (published != null) {
        d.offer(published);
      }
    });
  }

  /**
   * Watches a KV prefix. The listener gets a {@link KvState#NOT_READ_YET} snapshot at once, then one per answer that
   * tells it something new (the first answer, EMPTY included; then other keys or values), on {@code executor}, latest
   * state wins.
   */
  void watchKv(String prefix, Executor executor, Consumer<KvSnapshot> listener) {
    LatestDelivery<KvSnapshot> delivery = LatestDelivery.ofKv(config.siteId(), prefix, executor, listener);
    if (config.maxConnections() - 2 - kvWatches.incrementAndGet() < 1) {
      kvWatches.decrementAndGet();
      throw new ConsulConfigException("sites." + config.siteId() + ".maxConnections",
          "too small for another KV watch: two catalog watches, each KV watch and at least one fetch need a connection");
    }
    owner.execute(() -> {
      KvSnapshot[] offered = {KvSnapshot.notReadYet(config.siteId(), prefix)};
      delivery.offer(offered[0]);
      // A failing KV read leaves the catalog's freshness alone (the keys are not part of it) and the snapshot as it was.
      new BlockingWatch<List<KvEntry>>("kv", config, owner, io, ticker, random, metrics,
          idx -> reader.kv(prefix, idx, config.blockingWait()), r -> {
            KvSnapshot next = KvSnapshot.read(config.siteId(), prefix, r.value());
            if (next.differsFrom(offered[0])) {
              offered[0] = next;
              delivery.offer(next);
            }
          }, this::report).start();
    });
  }

  SiteFreshness freshness() {
    return freshness;
  }

  Optional<SiteCatalog> latest() {
    return Optional.ofNullable(latest);
  }

  Optional<ConsulQueryException> lastFailure() {
    return lastFailure;
  }

  /** Starts fetches of dirty services up to the connection budget, then re-evaluates freshness and publishes. */
  private void refresh() {
    int limit = config.maxConnections() - 2 - kvWatches.get();
    while (fetching.size() < limit) {
      String name = tracker.pollDirty(fetching::contains);
      if (name == null) {
        break;
      }
      fetching.add(name);
      fetch(name);
    }
    updateFreshness();
    if (fetching.isEmpty()) {
      publish();
    }
  }

  private void fetch(String name) {
    long started = ticker.nanos();
    metrics.queryStarted(false);
    io.execute(() -> {
      try {
        List<ServiceInstance> instances = reader.serviceHealth(name).value();
        owner.execute(() -> fetched(name, instances, started));
      } catch (RuntimeException e) {
        ConsulQueryException q = e instanceof ConsulQueryException c ? c
            : new ConsulQueryException(config.siteId(), "/v1/health/service/" + name, 0, e.toString(), e);
        owner.execute(() -> fetchFailed(name, q, started));
      }
    });
  }

  private void fetched(String name, List<ServiceInstance> instances, long started) {
    metrics.queryFinished(false, "service_health", Duration.ofNanos(ticker.nanos() - started), true);
    fetching.remove(name);
    tracker.fetched(name, instances);
    if (retrying.isEmpty()) {
      failing.remove("service_health");
      fetchBackoff.reset();
    }
    refresh();
  }

  private void fetchFailed(String name, ConsulQueryException e, long started) {
    metrics.queryFinished(false, "service_health", Duration.ofNanos(ticker.nanos() - started), false);
    fetching.remove(name);
    if (tracker.isSelected(name) && retrying.add(name) && retrying.size() == 1) {
      owner.schedule(() -> {
        tracker.markDirty(retrying);
        retrying.clear();
        refresh();
      }, fetchBackoff.nextDelay());
    }
    failed("service_health", e);
  }

  private void failed(String endpoint, ConsulQueryException e) {
    failing.add(endpoint);
    report(e);
    refresh();
  }

  /** Logs each distinct failure once per outage (repeats at debug), so a long outage does not flood the log. */
  private void report(ConsulQueryException e) {
    lastFailure = Optional.of(e);
    if (reported.add(e.getMessage())) {
      log.warn("{}", e.getMessage());
    } else {
      log.debug("{}", e.getMessage());
    }
  }

  private void updateFreshness() {
    if (!syncedOnce) {
      if (tracker.loaded() && failing.isEmpty() && lagging.isEmpty() && !tracker.hasDirty() && fetching.isEmpty()
          && retrying.isEmpty()) {
        syncedOnce = true;
        log.info("site {}: synced, {} services", config.siteId(), tracker.visible().size());
      } else {
        freshness = startBudgetSpent ? new SiteFreshness(SyncState.EXPIRED, Optional.empty(), false) : SiteFreshness.SYNCING;
        return;
      }
    }
    if (failing.isEmpty() && retrying.isEmpty() && lagging.isEmpty()) {
      if (staleSince != null) {
        log.info("site {}: recovered after {}", config.siteId(), Duration.ofNanos(ticker.nanos() - staleSinceNanos));
      }
      staleSince = null;
      reported.clear();
      freshness = SiteFreshness.SYNCED;
      return;
    }
    if (staleSince == null) {
      // The data was current until now (the failure or the lagging answer being handled): a blocking query open for
      // minutes would have answered any change, so its start is not when the data went stale (counting from it expired
      // a site the moment its Consul died).
      markStale();
      owner.schedule(this::refresh, config.stalenessBudget());
    }
    boolean expired = ticker.nanos() - staleSinceNanos >= config.stalenessBudget().toNanos();
    freshness = new SiteFreshness(expired ? SyncState.EXPIRED : SyncState.STALE, Optional.of(staleSince),
        expired && config.stalenessMode() == StalenessMode.DECAY);
  }

  private void markStale() {
    staleSince = clock.instant();
    staleSinceNanos = ticker.nanos();
  }

  /** Publishes a new generation when the visible catalog or the sync state changed. */
  private void publish() {
    SiteFreshness f = freshness;
    // Expired in any mode, the last-known-good stays in the catalog: the consumer applies the mode (StalenessMode).
    Map<String, ServiceEntry> visible = syncedOnce ? tracker.visible() : Map.of();
    if (published != null && published.freshness().state() == f.state() && published.freshness().decayed() == f.decayed()
        && published.services().equals(visible)) {
      return;
    }
    Map<String, ServiceEntry> before = published == null ? Map.of() : published.services();
    published = new SiteCatalog(config.siteId(), config.region(), generation++, visible,
        CatalogDelta.between(before, visible), f);
    latest = published;
    metrics.catalog(published);
    listeners.forEach(l -> l.offer(published));
  }

  /** Stops the watches (their timers are cancelled, answers arriving later dropped) and closes the reader. */
  @Override
  public void close() {
    owner.close();
    try {
      reader.close();
    } finally {
      metrics.close();
    }
  }
}
