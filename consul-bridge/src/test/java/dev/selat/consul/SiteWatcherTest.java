package dev.selat.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SiteWatcherTest {
  private static final Duration BOUND = Duration.ofSeconds(10);

  private final FakeSiteReader consul = new FakeSiteReader();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<SiteCatalog> seen = new CopyOnWriteArrayList<>();
  private SiteWatcher watcher;

  private static ServiceInstance instance(String id, String node, String address, List<String> tags, Map<String, String> meta) {
    return new ServiceInstance(id, node, address, 8080, tags, meta, Weights.DEFAULT, HealthStatus.PASSING);
  }

  private static ServiceInstance instance(String id, String address) {
    return instance(id, "node-" + id, address, List.of(), Map.of());
  }

  private void start(UnaryOperator<SiteConfig.Builder> tune) {
    SiteConfig.Builder b = SiteConfig.builder("jakarta", "id-jkt").address("127.0.0.1:8500")
        .rateLimit(new WatchRateLimit(2, Duration.ofMillis(10)))
        .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
        .blockingWait(Duration.ofSeconds(2));
    watcher = new SiteWatcher(tune.apply(b).build(), consul, Clock.systemUTC(), registry, RandomGenerator.getDefault());
    watcher.addListener(seen::add);
    watcher.start();
  }

  private SiteCatalog last() {
    return seen.get(seen.size() - 1);
  }

  private void awaitCatalog(java.util.function.Predicate<SiteCatalog> p) {
    await().atMost(BOUND).until(() -> !seen.isEmpty() && p.test(last()));
  }

  @AfterEach
  void close() {
    if (watcher != null) {
      watcher.close();
    }
  }

  @Test
  void close_syncedSite_removesItsMeters() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b);
    awaitCatalog(c -> c.freshness().state() == SyncState.SYNCED);

    watcher.close();

    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void start_existingServices_publishesThemSynced() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    consul.register("db", instance("db-1", "10.0.0.2"), false);
    start(b -> b);

    awaitCatalog(c -> c.freshness().state() == SyncState.SYNCED);
    assertThat(last().services().keySet()).containsExactlyInAnyOrder("web", "db");
    assertThat(last().delta().changed()).containsExactlyInAnyOrder("web", "db");
    assertThat(seen.get(0).freshness().state()).isEqualTo(SyncState.SYNCING);
    assertThat(seen.get(0).services()).isEmpty();
    assertThat(registry.get("selat.consul.site.services").gauge().value()).isEqualTo(2);
    // The two catalog watches each hold a blocking query; no fetch is left.
    await().atMost(BOUND).until(() -> registry.get("selat.consul.queries.in.flight").tag("kind", "blocking").gauge().value() == 2);
    assertThat(registry.get("selat.consul.queries.in.flight").tag("kind", "fetch").gauge().value()).isZero();
  }

  @Test
  void healthChange_oneService_refetchesOnlyIt() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    consul.register("db", instance("db-1", "10.0.0.2"), true);
    start(b -> b);
    awaitCatalog(c -> c.freshness().state() == SyncState.SYNCED);
    int dbFetches = consul.fetchCount("db");

    consul.setStatus("web", "web-1", HealthStatus.CRITICAL);

    awaitCatalog(c -> c.service("web").orElseThrow().instances().get(0).status() == HealthStatus.CRITICAL);
    assertThat(last().delta()).isEqualTo(new CatalogDelta(Set.of("web"), Set.of()));
    assertThat(consul.fetchCount("db")).isEqualTo(dbFetches);
  }

  @Test
  void quietSite_blockingQueriesTimeOut_nothingFetchedAgain() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b.blockingWait(Duration.ofMillis(100)));
    awaitCatalog(c -> c.freshness().state() == SyncState.SYNCED);
    int fetches = consul.fetchCount("web");

    // Several waits expire with the same index and the same answer.
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2)).until(() -> consul.fetchCount("web") == fetches);
    assertThat(registry.get("selat.consul.query.latency").tag("endpoint", "services").timer().count()).isGreaterThan(3);
  }

  @Test
  void addressChange_withoutCheckChange_isSeen() {
    consul.register("web", instance("web-1", "10.0.0.1"), false);
    start(b -> b);
    awaitCatalog(c -> c.freshness().state() == SyncState.SYNCED);

    consul.register("web", instance("web-1", "10.9.9.9"), false);

    awaitCatalog(c -> c.service("web").orElseThrow().instances().get(0).address().equals("10.9.9.9"));
  }

  @Test
  void deregister_lastInstance_serviceRemovedInDelta() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    consul.register("db", instance("db-1", "10.0.0.2"), true);
    start(b -> b);
    awaitCatalog(c -> c.services().size() == 2);

    consul.deregister("db", "db-1");

    awaitCatalog(c -> c.services().size() == 1);
    assertThat(last().delta()).isEqualTo(new CatalogDelta(Set.of(), Set.of("db")));
    assertThat(last().generation()).isGreaterThan(seen.get(seen.size() - 2).generation());
  }

  @Test
  void consulDown_keepsLastKnownGoodStaleWithGrowingAge_thenRecovers() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b);
    awaitCatalog(c -> c.freshness().state() == SyncState.SYNCED);

    consul.failWith(0);

    awaitCatalog(c -> c.freshness().state() == SyncState.STALE);
    assertThat(registry.get("selat.consul.site.sync.state").tag("state", "stale").gauge().value()).isEqualTo(1);
    assertThat(registry.get("selat.consul.site.sync.state").tag("state", "synced").gauge().value()).isZero();
    assertThat(registry.get("selat.consul.query.errors").tag("endpoint", "services").counter().count()).isPositive();
    assertThat(last().services()).containsKey("web");
    assertThat(last().service("web").orElseThrow().instances()).hasSize(1);
    await().atMost(BOUND).until(() -> registry.get("selat.consul.site.data.age").timeGauge().value() > 0.05);

    consul.failWith(-1);

    awaitCatalog(c -> c.freshness().state() == SyncState.SYNCED);
    assertThat(last().service("web").orElseThrow().instances()).hasSize(1);
    assertThat(watcher.freshness().age(java.time.Instant.now())).isZero();
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

  @Test
  void stalenessBudgetSpent_drop_publishesSiteEmpty() {
    SiteCatalog c = expireWith(StalenessMode.DROP);
    assertThat(c.services()).isEmpty();
    assertThat(c.delta().removed()).containsExactly("web");
  }

  private SiteCatalog expireWith(StalenessMode mode) {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b.staleness(Duration.ofMillis(300), mode));
    awaitCatalog(c -> c.freshness().state() == SyncState.SYNCED);
    consul.failWith(503);
    awaitCatalog(c -> c.freshness().state() == SyncState.EXPIRED);
    return last();
  }

  @Test
  void fetchFails_forOneService_keepsItsOldInstancesAndPublishesOthers() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    consul.register("db", instance("db-1", "10.0.0.2"), true);
    start(b -> b);
    awaitCatalog(c -> c.freshness().state() == SyncState.SYNCED);

    consul.failFetchesOf("web", true);
    consul.setStatus("web", "web-1", HealthStatus.WARNING);
    consul.setStatus("db", "db-1", HealthStatus.WARNING);

    awaitCatalog(c -> c.service("db").orElseThrow().instances().get(0).status() == HealthStatus.WARNING);
    assertThat(last().freshness().state()).isEqualTo(SyncState.STALE);
    assertThat(last().service("web").orElseThrow().instances()).extracting(ServiceInstance::status)
        .containsExactly(HealthStatus.PASSING);

    consul.failFetchesOf("web", false);
    awaitCatalog(c -> c.freshness().state() == SyncState.SYNCED
        && c.service("web").orElseThrow().instances().get(0).status() == HealthStatus.WARNING);
  }

  @Test
  void startBudgetSpent_consulNeverAnswered_expiredWithoutServices() {
    consul.failWith(403);
    start(b -> b.startBudget(Duration.ofMillis(200)));

    awaitCatalog(c -> c.freshness().state() == SyncState.EXPIRED);
    assertThat(last().services()).isEmpty();
    assertThat(watcher.lastFailure()).get().extracting(ConsulQueryException::isDenied).isEqualTo(true);
  }

  @Test
  void blockingWatch_indexGoesBackwards_resetsAndKeepsFollowing() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b);
    awaitCatalog(c -> c.freshness().state() == SyncState.SYNCED);

    consul.restoreOlderSnapshot(3);
    await().atMost(BOUND).until(() -> registry.find("selat.consul.index.resets").counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count).sum() >= 2);
    consul.register("api", instance("api-1", "10.0.0.3"), true);

    awaitCatalog(c -> c.services().containsKey("api"));
    assertThat(last().services()).containsKey("web");
  }

  @Test
  void selector_tagsAndMeta_keepOnlyMatchingInstances() {
    consul.register("web", instance("web-1", "n1", "10.0.0.1", List.of("mesh", "v1"), Map.of("zone", "a")), true);
    consul.register("web", instance("web-2", "n2", "10.0.0.2", List.of("mesh"), Map.of("zone", "b")), true);
    consul.register("legacy", instance("legacy-1", "n3", "10.0.0.3", List.of(), Map.of("zone", "a")), true);
    start(b -> b.selector(new ServiceSelector(Set.of("mesh"), Map.of("zone", "a"))));

    awaitCatalog(c -> c.freshness().state() == SyncState.SYNCED);
    assertThat(last().services().keySet()).containsExactly("web");
    assertThat(last().service("web").orElseThrow().instances()).extracting(ServiceInstance::id).containsExactly("web-1");
    assertThat(consul.fetchCount("legacy")).isZero();
  }

  @Test
  void rateLimit_tokensSpent_nextQueryWaitsForRefill() {
    consul.register("web", instance("web-1", "10.0.0.1"), true);
    start(b -> b.rateLimit(new WatchRateLimit(2, Duration.ofHours(1))));
    awaitCatalog(c -> c.freshness().state() == SyncState.SYNCED);

    // The health watch spent its two tokens: the first read, then the blocking query this change answers.
    consul.setStatus("web", "web-1", HealthStatus.WARNING);
    awaitCatalog(c -> c.service("web").orElseThrow().instances().get(0).status() == HealthStatus.WARNING);
    consul.setStatus("web", "web-1", HealthStatus.CRITICAL);

    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
        .until(() -> last().service("web").orElseThrow().instances().get(0).status() == HealthStatus.WARNING);
  }

  @Test
  void watchKv_tooManyForConnections_rejectedNamingTheField() {
    start(b -> b.maxConnections(4));
    watcher.watchKv("a/", changes -> {});
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> watcher.watchKv("b/", changes -> {}))
        .isInstanceOf(ConsulConfigException.class).hasMessageStartingWith("sites.jakarta.maxConnections:");
  }

  @Test
  void watchKv_listenerThrows_watchGoesOn() {
    consul.kvPut("selat/", "selat/a", "1");
    start(b -> b);
    List<KvChange> changes = new CopyOnWriteArrayList<>();
    watcher.watchKv("selat/", batch -> {
      changes.addAll(batch);
      throw new IllegalStateException("listener bug");
    });
    await().atMost(BOUND).until(() -> changes.size() == 1);

    consul.kvPut("selat/", "selat/a", "2");

    await().atMost(BOUND).until(() -> changes.size() == 2);
  }

  @Test
  void watchKv_prefix_deliversInitialKeysThenChanges() {
    consul.kvPut("selat/policies/", "selat/policies/a", "one");
    start(b -> b);
    List<KvChange> changes = new CopyOnWriteArrayList<>();
    watcher.watchKv("selat/policies/", changes::addAll);

    await().atMost(BOUND).until(() -> changes.size() == 1);
    consul.kvPut("selat/policies/", "selat/policies/a", "two");

    await().atMost(BOUND).until(() -> changes.size() == 2);
    assertThat(changes.get(1).key()).isEqualTo("selat/policies/a");
    assertThat(changes.get(1).value()).contains("two");
  }
}
