package dev.selat.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LatestDeliveryTest {
  private static ServiceEntry entry(String name, int port) {
    return new ServiceEntry(name, List.of(new ServiceInstance(name + "-1", "n", "10.0.0.1", port, List.of(), Map.of(),
        Weights.DEFAULT, HealthStatus.PASSING)));
  }

  private static SiteCatalog catalog(long gen, Map<String, ServiceEntry> services) {
    return new SiteCatalog("jakarta", "r", gen, services, CatalogDelta.NONE, SiteFreshness.SYNCED);
  }

  @Test
  void offer_whileListenerBusy_onlyLatestDeliveredWithMergedDelta() {
    List<Runnable> queued = new ArrayList<>();
    Executor manual = queued::add;
    List<SiteCatalog> seen = new ArrayList<>();
    LatestDelivery<SiteCatalog> d = LatestDelivery.ofCatalogs("jakarta", manual, seen::add);

    d.offer(catalog(1, Map.of("a", entry("a", 1), "b", entry("b", 1))));
    d.offer(catalog(2, Map.of("a", entry("a", 2), "b", entry("b", 1))));
    d.offer(catalog(3, Map.of("b", entry("b", 1), "c", entry("c", 1))));
    assertThat(queued).hasSize(1);
    queued.get(0).run();

    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).generation()).isEqualTo(3);
    assertThat(seen.get(0).delta()).isEqualTo(new CatalogDelta(Set.of("b", "c"), Set.of()));
  }

  @Test
  void offer_afterDelivery_deltaIsRelativeToWhatListenerSaw() {
    List<Runnable> queued = new ArrayList<>();
    List<SiteCatalog> seen = new ArrayList<>();
    LatestDelivery<SiteCatalog> d = LatestDelivery.ofCatalogs("jakarta", queued::add, seen::add);
    d.offer(catalog(1, Map.of("a", entry("a", 1), "b", entry("b", 1))));
    queued.remove(0).run();
    d.offer(catalog(2, Map.of("a", entry("a", 1), "b", entry("b", 2))));
    d.offer(catalog(3, Map.of("b", entry("b", 2))));
    queued.remove(0).run();

    assertThat(seen).extracting(SiteCatalog::generation).containsExactly(1L, 3L);
    assertThat(seen.get(1).delta()).isEqualTo(new CatalogDelta(Set.of("b"), Set.of("a")));
  }

  @Test
  void offer_listenerThrows_laterCatalogsStillDelivered() {
    List<Runnable> queued = new ArrayList<>();
    List<Long> seen = new ArrayList<>();
    LatestDelivery<SiteCatalog> d = LatestDelivery.ofCatalogs("jakarta", queued::add, c -> {
      seen.add(c.generation());
      if (c.generation() == 1) {
        throw new IllegalStateException("boom");
      }
    });
    d.offer(catalog(1, Map.of()));
    queued.remove(0).run();
    d.offer(catalog(2, Map.of()));
    queued.remove(0).run();
    assertThat(seen).containsExactly(1L, 2L);
  }

  @Test
  void offer_onAPoolOfThreads_callsComeOneAtATimeInOrderAndEndWithTheLatest() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicInteger inside = new AtomicInteger();
    AtomicLong lastSeen = new AtomicLong(-1);
    List<String> problems = new CopyOnWriteArrayList<>();
    try {
      LatestDelivery<SiteCatalog> d = LatestDelivery.ofCatalogs("jakarta", pool, c -> {
        if (inside.incrementAndGet() != 1) {
          problems.add("concurrent call at generation " + c.generation());
        }
        if (c.generation() <= lastSeen.getAndSet(c.generation())) {
          problems.add("generation " + c.generation() + " after a newer one");
        }
        inside.decrementAndGet();
      });
      for (long gen = 0; gen < 20_000; gen++) {
        d.offer(catalog(gen, Map.of()));
      }

      await().atMost(Duration.ofSeconds(10)).until(() -> lastSeen.get() == 19_999);
      assertThat(problems).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void offer_executorRejects_offerDoesNotThrowAndTheNextOfferDelivers() {
    List<Runnable> queued = new ArrayList<>();
    AtomicBoolean open = new AtomicBoolean(false);
    Executor flaky = task -> {
      if (!open.get()) {
        throw new RejectedExecutionException("shut down");
      }
      queued.add(task);
    };
    List<Long> seen = new ArrayList<>();
    LatestDelivery<SiteCatalog> d = LatestDelivery.ofCatalogs("jakarta", flaky, c -> seen.add(c.generation()));

    d.offer(catalog(1, Map.of()));
    open.set(true);
    d.offer(catalog(2, Map.of()));
    queued.remove(0).run();

    assertThat(seen).containsExactly(2L);
  }
}
