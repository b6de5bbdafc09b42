package dev.selat.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.selat.testkit.FakeScheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watcher on fake time: a {@link FakeScheduler} owns the site (its time is the watcher's ticker, its wall clock the
 * watcher's clock), requests run inline and the fake Consul answers at once, so every test is deterministic and takes
 * no wall time. Each watch's bucket refills one token per second and backoff draws the top of its range (1, 2, 4, 8 s).
 */
class SiteWatcherTest {
  private static final Duration REFILL = Duration.ofSeconds(1);
  private static final String SERVICES = "/v1/catalog/services";

  private final FakeScheduler time = new FakeScheduler();
  private final FakeSiteReader consul = FakeSiteReader.answeringAtOnce();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<SiteCatalog> seen = new ArrayList<>();
  private SiteWatcher watcher;

  private static ServiceInstance instance(String id, String node, String address, List<String> tags, Map<String, String> meta) {
    return new ServiceInstance(id, node, address, 8080, tags, meta, Weights.DEFAULT, HealthStatus.PASSING);
  }

  private static ServiceInstance instance(String id, String address) {
    return instance(id, "node-" + id, address, List.of(), Map.of());
  }

  private static SiteConfig.Builder config() {
    return SiteConfig.builder("jakarta", "id-jkt").address("127.0.0.1:8500")
        .rateLimit(new WatchRateLimit(2, REFILL))
        .backoff(Duration.ofSeconds(1), Duration.ofSeconds(8))
        .staleness(Duration.ofMinutes(5), StalenessMode.FREEZE)
        .blockingWait(Duration.ofSeconds(60));
  }

  private void start(UnaryOperator<SiteConfig.Builder> tune) {
    watcher = new SiteWatcher(tune.apply(config()).build(), consul, time, Runnable::run, time::nanos, time.wallClock(),
        registry, new MaxRandom());
    watcher.addListener(Runnable::run, seen::add);
    watcher.start();
    time.runDueTasks();
  }

  private SiteCatalog last() {
    return seen.get(seen.size() - 1);
  }

  private SyncState state() {
    return last().freshness().state();
  }

  private HealthStatus status(String service) {
    return last().service(service).orElseThrow().instances().get(0).status();
  }

  @AfterEach
  void close() {
    if (watcher != null) {
      watcher.close();
    }
  }

  @Test
  void start_existingServices_publishesThemSynced() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    consul.register("db", instance("db-1", "10.0.0.2"), false);
    start(b -> b);

    assertThat(state()).isEqualTo(SyncState.SYNCED);
    assertThat(last().services().keySet()).containsExactlyInAnyOrder("web", "db");
    assertThat(last().delta().changed()).containsExactlyInAnyOrder("web", "db");
    assertThat(seen.get(0).freshness().state()).isEqualTo(SyncState.SYNCING);
    assertThat(seen.get(0).services()).isEmpty();
    assertThat(registry.get("selat.consul.site.services").gauge().value()).isEqualTo(2);
    assertThat(registry.get("selat.consul.queries.in.flight").tag("kind", "fetch").gauge().value()).isZero();
  }

  @Test
  void close_syncedSite_removesItsMetersAndLeavesNoTimer() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b);
    assertThat(time.pendingTasks()).isPositive(); // the watches wait for tokens, the start budget runs

    watcher.close();

    assertThat(registry.getMeters()).isEmpty();
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void healthChange_oneService_refetchesOnlyIt() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    consul.register("db", instance("db-1", "10.0.0.2"), true);
    start(b -> b);
    int dbFetches = consul.fetchCount("db");

    consul.setStatus("web", "web-1", HealthStatus.CRITICAL);
    time.forward(REFILL);

    assertThat(status("web")).isEqualTo(HealthStatus.CRITICAL);
    assertThat(last().delta()).isEqualTo(new CatalogDelta(Set.of("web"), Set.of()));
    assertThat(consul.fetchCount("db")).isEqualTo(dbFetches);
  }

  @Test
  void quietSite_blockingQueriesTimeOut_nothingFetchedAgain() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b);
    int fetches = consul.fetchCount("web");

    // Every answer has the same index and the same content.
    time.forward(Duration.ofMinutes(1));

    assertThat(consul.fetchCount("web")).isEqualTo(fetches);
    assertThat(consul.queryCount(SERVICES)).isGreaterThan(3);
  }

  @Test
  void addressChange_withoutCheckChange_isSeen() {
    consul.register("web", instance("web-1", "10.0.0.1"), false);
    start(b -> b);

    consul.register("web", instance("web-1", "10.9.9.9"), false);
    time.forward(REFILL);

    assertThat(last().service("web").orElseThrow().instances().get(0).address()).isEqualTo("10.9.9.9");
  }

  @Test
  void deregister_lastInstance_serviceRemovedInDelta() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    consul.register("db", instance("db-1", "10.0.0.2"), true);
    start(b -> b);

    consul.deregister("db", "db-1");
    time.forward(REFILL);

    assertThat(last().services()).containsOnlyKeys("web");
    assertThat(last().delta()).isEqualTo(new CatalogDelta(Set.of(), Set.of("db")));
    assertThat(last().generation()).isGreaterThan(seen.get(seen.size() - 2).generation());
  }

  @Test
  void rateLimit_tokensSpent_nextQueryWaitsExactlyOneRefill() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b);
    // The burst: the first read, then the first blocking query (answered at once, as under constant churn).
    assertThat(consul.queryCount(SERVICES)).isEqualTo(2);

    time.forward(REFILL.minusNanos(1));
    assertThat(consul.queryCount(SERVICES)).isEqualTo(2);
    time.forward(Duration.ofNanos(1));
    assertThat(consul.queryCount(SERVICES)).isEqualTo(3);
    time.forward(REFILL.multipliedBy(10));
    assertThat(consul.queryCount(SERVICES)).isEqualTo(13);
  }

  @Test
  void rateLimit_wallClockStepsForward_handsOutNoToken() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b);

    time.wallClock().advance(Duration.ofHours(1)); // NTP, not time passing
    time.forward(REFILL.minusNanos(1));

    assertThat(consul.queryCount(SERVICES)).isEqualTo(2);
  }

  @Test
  void backoff_consulFailing_retriesDoubleUpToTheCap() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b);
    consul.failWith(503);
    time.forward(REFILL); // the query the bucket held back: the first failure
    int first = consul.queryCount(SERVICES);

    List<Integer> retries = new ArrayList<>();
    for (int s : new int[] {1, 2, 4, 8, 8}) {
      time.forward(Duration.ofSeconds(s).minusNanos(1));
      retries.add(consul.queryCount(SERVICES) - first);
      time.forward(Duration.ofNanos(1));
      retries.add(consul.queryCount(SERVICES) - first);
    }

    assertThat(retries).containsExactly(0, 1, 1, 2, 2, 3, 3, 4, 4, 5);
  }

  @Test
  void consulDown_keepsLastKnownGoodStaleWithGrowingAge_thenRecovers() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b);

    consul.failWith(0);
    time.forward(REFILL);
    Instant wentStale = time.wallClock().instant();

    assertThat(state()).isEqualTo(SyncState.STALE);
    assertThat(last().freshness().staleSince()).contains(wentStale);
    assertThat(registry.get("selat.consul.site.sync.state").tag("state", "stale").gauge().value()).isEqualTo(1);
    assertThat(registry.get("selat.consul.site.sync.state").tag("state", "synced").gauge().value()).isZero();
    assertThat(registry.get("selat.consul.query.errors").tag("endpoint", "services").counter().count()).isPositive();
    assertThat(last().service("web").orElseThrow().instances()).hasSize(1);
    time.forward(Duration.ofSeconds(30));
    assertThat(registry.get("selat.consul.site.data.age").timeGauge().value(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(30.0);

    consul.failWith(-1);
    time.forward(Duration.ofSeconds(8)); // the next retry

    assertThat(state()).isEqualTo(SyncState.SYNCED);
    assertThat(last().service("web").orElseThrow().instances()).hasSize(1);
    assertThat(watcher.freshness().age(time.wallClock().instant())).isZero();
  }

  @Test
  void stalenessBudget_spentToTheNanosecond_expiresThen() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b);
    consul.failWith(503);
    time.forward(REFILL);
    assertThat(state()).isEqualTo(SyncState.STALE);

    time.forward(Duration.ofMinutes(5).minusNanos(1));
    assertThat(state()).isEqualTo(SyncState.STALE);
    time.forward(Duration.ofNanos(1));
    assertThat(state()).isEqualTo(SyncState.EXPIRED);
  }

  @Test
  void stalenessBudget_wallClockStepsForward_budgetCountsMonotonicTime() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b);
    consul.failWith(503);
    time.forward(REFILL);

    time.wallClock().advance(Duration.ofHours(1)); // NTP, not time passing
    time.forward(Duration.ofSeconds(8)); // a retry fails: the state is evaluated again

    assertThat(state()).isEqualTo(SyncState.STALE);
  }

  @Test
  void stalenessBudgetSpent_freeze_keepsServicesExpired() {
    SiteCatalog c = expireWith(StalenessMode.FREEZE);
    assertThat(c.services()).containsKey("web");
    assertThat(c.freshness().decayed()).isFalse();
  }

  @Test
  void stalenessBudgetSpent_decay_keepsServicesFlagged() {
    SiteCatalog c = expireWith(StalenessMode.DECAY);
    assertThat(c.services()).containsKey("web");
    assertThat(c.freshness().decayed()).isTrue();
  }

  /**
   * Expired in drop mode, the last-known-good is still published, marked expired: the control plane leaves the site
   * out unless it holds the only available instances, which it cannot know if the bridge empties the site.
   */
  @Test
  void stalenessBudgetSpent_drop_keepsLastKnownGoodMarkedExpiredForTheConsumer() {
    SiteCatalog c = expireWith(StalenessMode.DROP);
    assertThat(c.services()).containsKey("web");
    assertThat(c.freshness().state()).isEqualTo(SyncState.EXPIRED);
    assertThat(c.freshness().decayed()).isFalse();
  }

  private SiteCatalog expireWith(StalenessMode mode) {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b.staleness(Duration.ofMinutes(5), mode));
    consul.failWith(503);
    time.forward(REFILL.plus(Duration.ofMinutes(5)));
    assertThat(state()).isEqualTo(SyncState.EXPIRED);
    return last();
  }

  @Test
  void noKnownLeader_staleReadsServed_dataAppliedKeptAndStaleUntilALeaderAnswers() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b.consistency(ConsistencyMode.STALE));

    consul.leader(false, Duration.ofSeconds(3));
    consul.register("db", instance("db-1", "10.0.0.2"), true);
    time.forward(REFILL);

    assertThat(state()).isEqualTo(SyncState.STALE);
    assertThat(last().services()).containsOnlyKeys("web", "db"); // what the follower answered is used, and kept
    assertThat(last().freshness().staleSince()).contains(time.wallClock().instant());
    assertThat(registry.get("selat.consul.known.leader").gauge().value()).isZero();

    consul.leader(true, Duration.ZERO);
    time.forward(REFILL);

    assertThat(state()).isEqualTo(SyncState.SYNCED);
    assertThat(last().services()).containsOnlyKeys("web", "db");
  }

  @Test
  void staleFollower_lastContactAboveMaxStale_stale_belowIt_synced() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b.consistency(ConsistencyMode.STALE).maxStale(Duration.ofSeconds(2)));

    consul.leader(true, Duration.ofMillis(2001));
    time.forward(REFILL);
    assertThat(state()).isEqualTo(SyncState.STALE);
    assertThat(last().services()).containsKey("web");

    consul.leader(true, Duration.ofMillis(2000));
    time.forward(REFILL);
    assertThat(state()).isEqualTo(SyncState.SYNCED);
  }

  @Test
  void noKnownLeader_longerThanTheStalenessBudget_expires() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b.consistency(ConsistencyMode.STALE).staleness(Duration.ofMinutes(5), StalenessMode.FREEZE));

    consul.leader(false, Duration.ofSeconds(3));
    time.forward(REFILL);
    time.forward(Duration.ofMinutes(5).minusNanos(1));
    assertThat(state()).isEqualTo(SyncState.STALE);
    time.forward(Duration.ofNanos(1));

    assertThat(state()).isEqualTo(SyncState.EXPIRED);
    assertThat(last().services()).containsKey("web");
  }

  @Test
  void noKnownLeader_atStart_notSyncedOnItsWord() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    consul.leader(false, Duration.ofSeconds(3));

    start(b -> b.consistency(ConsistencyMode.STALE));

    assertThat(state()).isEqualTo(SyncState.SYNCING);
  }

  @Test
  void fetchFails_forOneService_keepsItsOldInstancesAndPublishesOthers() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    consul.register("db", instance("db-1", "10.0.0.2"), true);
    start(b -> b);

    consul.failFetchesOf("web", true);
    consul.setStatus("web", "web-1", HealthStatus.WARNING);
    consul.setStatus("db", "db-1", HealthStatus.WARNING);
    time.forward(REFILL);

    assertThat(status("db")).isEqualTo(HealthStatus.WARNING);
    assertThat(state()).isEqualTo(SyncState.STALE);
    assertThat(status("web")).isEqualTo(HealthStatus.PASSING);

    consul.failFetchesOf("web", false);
    time.forward(Duration.ofSeconds(1)); // the fetch backoff's first delay

    assertThat(state()).isEqualTo(SyncState.SYNCED);
    assertThat(status("web")).isEqualTo(HealthStatus.WARNING);
  }

  @Test
  void startBudget_consulNeverAnswered_expiresToTheNanosecondWithoutServices() {
    consul.failWith(403);
    start(b -> b.startBudget(Duration.ofSeconds(20)));

    time.forward(Duration.ofSeconds(20).minusNanos(1));
    assertThat(state()).isEqualTo(SyncState.SYNCING);
    time.forward(Duration.ofNanos(1));

    assertThat(state()).isEqualTo(SyncState.EXPIRED);
    assertThat(last().services()).isEmpty();
    assertThat(watcher.lastFailure()).get().extracting(ConsulQueryException::isDenied).isEqualTo(true);
  }

  @Test
  void blockingWatch_indexGoesBackwards_resetsAndKeepsFollowing() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b);

    consul.restoreOlderSnapshot(3);
    time.forward(REFILL);
    assertThat(registry.find("selat.consul.index.resets").counters().stream().mapToDouble(Counter::count).sum())
        .isGreaterThanOrEqualTo(2);
    consul.register("api", instance("api-1", "10.0.0.3"), true);
    time.forward(REFILL.multipliedBy(2));

    assertThat(last().services()).containsKeys("api", "web");
  }

  @Test
  void selector_tagsAndMeta_keepOnlyMatchingInstances() {
    consul.register("web", instance("web-1", "n1", "10.0.0.1", List.of("mesh", "v1"), Map.of("zone", "a")), true);
    consul.register("web", instance("web-2", "n2", "10.0.0.2", List.of("mesh"), Map.of("zone", "b")), true);
    consul.register("legacy", instance("legacy-1", "n3", "10.0.0.3", List.of(), Map.of("zone", "a")), true);
    start(b -> b.selector(new ServiceSelector(Set.of("mesh"), Map.of("zone", "a"))));

    assertThat(state()).isEqualTo(SyncState.SYNCED);
    assertThat(last().services().keySet()).containsExactly("web");
    assertThat(last().service("web").orElseThrow().instances()).extracting(ServiceInstance::id).containsExactly("web-1");
    assertThat(consul.fetchCount("legacy")).isZero();
  }

  @Test
  void watchKv_tooManyForConnections_rejectedNamingTheField() {
    start(b -> b.maxConnections(4));
    watcher.watchKv("a/", Runnable::run, changes -> {});
    assertThatThrownBy(() -> watcher.watchKv("b/", Runnable::run, changes -> {}))
        .isInstanceOf(ConsulConfigException.class).hasMessageStartingWith("sites.jakarta.maxConnections:");
  }

  @Test
  void watchKv_listenerThrows_watchGoesOn() {
    consul.kvPut("selat/", "selat/a", "1");
    start(b -> b);
    List<KvSnapshot> snapshots = new ArrayList<>();
    watcher.watchKv("selat/", Runnable::run, s -> {
      snapshots.add(s);
      throw new IllegalStateException("listener bug");
    });
    time.runDueTasks();
    assertThat(snapshots).extracting(KvSnapshot::state).containsExactly(KvState.NOT_READ_YET, KvState.PRESENT);

    consul.kvPut("selat/", "selat/a", "2");
    time.forward(REFILL);

    assertThat(snapshots).hasSize(3);
    assertThat(snapshots.get(2).value("selat/a")).contains("2");
  }

  @Test
  void watchKv_prefix_deliversInitialKeysThenChanges() {
    consul.kvPut("selat/policies/", "selat/policies/a", "one");
    start(b -> b);
    List<KvSnapshot> snapshots = new ArrayList<>();
    watcher.watchKv("selat/policies/", Runnable::run, snapshots::add);
    time.runDueTasks();
    assertThat(snapshots.get(1).changes()).containsExactly(
        new KvChange("selat/policies/a", java.util.Optional.of("one"), consul.kvIndex(), false));

    consul.kvPut("selat/policies/", "selat/policies/a", "two");
    time.forward(REFILL);

    assertThat(snapshots).hasSize(3);
    assertThat(snapshots.get(2).state()).isEqualTo(KvState.PRESENT);
    assertThat(snapshots.get(2).changes()).extracting(KvChange::key, KvChange::value)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("selat/policies/a", java.util.Optional.of("two")));
  }

  @Test
  void watchKv_noKeyUnderPrefix_emptyIsToldApartFromNotReadYet() {
    start(b -> b);
    List<KvSnapshot> snapshots = new ArrayList<>();

    watcher.watchKv("selat/policies/", Runnable::run, snapshots::add);
    time.runDueTasks();

    assertThat(snapshots).extracting(KvSnapshot::state).containsExactly(KvState.NOT_READ_YET, KvState.EMPTY);
    assertThat(snapshots.get(1).entries()).isEmpty();
    assertThat(snapshots.get(1).changes()).isEmpty();
    time.forward(REFILL.multipliedBy(5)); // the same empty answer again: nothing new to tell
    assertThat(snapshots).hasSize(2);
  }

  @Test
  void watchKv_firstReadFails_staysNotReadYetNeverEmpty() {
    consul.failWith(403);
    start(b -> b);
    List<KvSnapshot> snapshots = new ArrayList<>();

    watcher.watchKv("selat/policies/", Runnable::run, snapshots::add);
    time.forward(Duration.ofMinutes(1));

    assertThat(snapshots).extracting(KvSnapshot::state).containsExactly(KvState.NOT_READ_YET);
  }

  @Test
  void watchKv_readFailsLater_keysKeptAsLastRead() {
    consul.kvPut("selat/", "selat/a", "1");
    start(b -> b);
    List<KvSnapshot> snapshots = new ArrayList<>();
    watcher.watchKv("selat/", Runnable::run, snapshots::add);
    time.runDueTasks();

    consul.failWith(0);
    time.forward(Duration.ofMinutes(1));

    assertThat(snapshots).extracting(KvSnapshot::state).containsExactly(KvState.NOT_READ_YET, KvState.PRESENT);
  }

  @Test
  void watchKv_lastKeyDeleted_becomesEmptyWithTheDelete() {
    consul.kvPut("selat/", "selat/a", "1");
    start(b -> b);
    List<KvSnapshot> snapshots = new ArrayList<>();
    watcher.watchKv("selat/", Runnable::run, snapshots::add);
    time.runDueTasks();

    consul.kvDelete("selat/", "selat/a");
    time.forward(REFILL);

    KvSnapshot last = snapshots.get(snapshots.size() - 1);
    assertThat(last.state()).isEqualTo(KvState.EMPTY);
    assertThat(last.changes()).extracting(KvChange::key, KvChange::deleted)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("selat/a", true));
  }

  @Test
  void listeners_slowOnTheirOwnExecutor_siteGoesOnAndTheyGetTheLatestWhenFree() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b);
    List<Runnable> slowCatalogs = new ArrayList<>(); // an executor busy with something else: nothing runs until the test says
    List<Runnable> slowKv = new ArrayList<>();
    List<SiteCatalog> late = new ArrayList<>();
    List<KvSnapshot> kv = new ArrayList<>();
    watcher.addListener(slowCatalogs::add, late::add);
    watcher.watchKv("selat/", slowKv::add, kv::add);
    time.runDueTasks();

    for (int i = 2; i <= 5; i++) {
      consul.register("web", instance("web-" + i, "10.0.0." + i), true);
      consul.kvPut("selat/", "selat/k" + i, "v" + i);
      time.forward(REFILL);
    }

    assertThat(last().service("web").orElseThrow().instances()).hasSize(5); // the direct listener saw every change
    assertThat(slowCatalogs).hasSize(1);
    assertThat(slowKv).hasSize(1);
    slowCatalogs.remove(0).run();
    slowKv.remove(0).run();
    assertThat(late).hasSize(1);
    assertThat(late.get(0).service("web").orElseThrow().instances()).hasSize(5);
    assertThat(late.get(0).delta().changed()).containsExactly("web");
    assertThat(kv).extracting(KvSnapshot::state).containsExactly(KvState.PRESENT);
    assertThat(kv.get(0).changes()).extracting(KvChange::key)
        .containsExactly("selat/k2", "selat/k3", "selat/k4", "selat/k5");
  }

  @Test
  void listener_blocksItsOwnThread_siteKeepsPublishing() throws Exception {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    ExecutorService listenerThread = Executors.newSingleThreadExecutor();
    try {
      watcher.watchKv("selat/", listenerThread, s -> {
        try {
          release.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      time.runDueTasks();

      consul.register("db", instance("db-1", "10.0.0.2"), true);
      time.forward(REFILL);

      assertThat(last().services()).containsKeys("web", "db");
    } finally {
      release.countDown();
      listenerThread.shutdownNow();
    }
  }

  @Test
  void listener_executorShutDown_otherListenersStillServed() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    ExecutorService closed = Executors.newSingleThreadExecutor();
    closed.shutdownNow();
    start(b -> b);
    watcher.addListener(closed, c -> {});
    time.runDueTasks();

    consul.register("db", instance("db-1", "10.0.0.2"), true);
    time.forward(REFILL);

    assertThat(last().services()).containsKeys("web", "db");
  }

  /** On real threads and a fake Consul that blocks: the two catalog watches each hold a blocking query open. */
  @Test
  void blockingQueries_onRealThreads_holdOneConnectionPerWatch() {
    FakeSiteReader blocking = new FakeSiteReader();
    blocking.register("web", instance("web-1", "10.0.0.1"), true);
    ScheduledThreadPoolExecutor owner = new ScheduledThreadPoolExecutor(1);
    ExecutorService io = Executors.newVirtualThreadPerTaskExecutor();
    List<SiteCatalog> catalogs = new CopyOnWriteArrayList<>();
    SiteWatcher real = new SiteWatcher(config().blockingWait(Duration.ofSeconds(30)).build(), blocking, owner, io,
        Ticker.system(), Clock.systemUTC(), registry, RandomGenerator.getDefault());
    try {
      real.addListener(Runnable::run, catalogs::add);
      real.start();

      await().atMost(Duration.ofSeconds(10)).until(() -> !catalogs.isEmpty()
          && catalogs.get(catalogs.size() - 1).freshness().state() == SyncState.SYNCED);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> registry.get("selat.consul.queries.in.flight").tag("kind", "blocking").gauge().value() == 2);
      assertThat(registry.get("selat.consul.queries.in.flight").tag("kind", "fetch").gauge().value()).isZero();
    } finally {
      real.close();
      owner.shutdownNow();
      io.shutdownNow();
    }
  }
}
