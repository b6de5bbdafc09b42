package dev.selat.xds;

import static dev.selat.xds.Resources.clusters;
import static org.assertj.core.api.Assertions.assertThat;

import dev.selat.testkit.FakeClock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SnapshotStoreTest {
  private final SnapshotStore store = new SnapshotStore(new FakeClock());

  @Test
  void unwatch_lastWatcherOfUnpublishedGroup_forgetsTheGroup() {
    SnapshotStore.Watcher watcher = () -> {};
    for (int i = 0; i < 100; i++) {
      store.watch("cluster-" + i, watcher); // a node names its own group
      store.unwatch("cluster-" + i, watcher);
    }

    assertThat(store.groupCount()).isZero();
  }

  @Test
  void unwatch_lastWatcherOfPublishedGroup_keepsItsSnapshot() {
    SnapshotStore.Watcher watcher = () -> {};
    store.publish("jakarta", clusters("a"));
    store.watch("jakarta", watcher);

    store.unwatch("jakarta", watcher);

    assertThat(store.current("jakarta").snapshot().resources(TypeUrls.CLUSTER)).containsOnlyKeys("a");
  }

  @Test
  void watch_groupForgottenBefore_isToldOfTheNextPublish() {
    SnapshotStore.Watcher first = () -> {};
    store.watch("jakarta", first);
    store.unwatch("jakarta", first);
    AtomicInteger told = new AtomicInteger();

    store.watch("jakarta", told::incrementAndGet);
    store.publish("jakarta", clusters("a"));

    assertThat(told).hasValue(1);
  }
}
