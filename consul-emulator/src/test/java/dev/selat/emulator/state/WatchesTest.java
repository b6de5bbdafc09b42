package dev.selat.emulator.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WatchesTest {
  private final StateStore store = new StateStore(Journal.NONE);

  @Test
  void serviceWatch_otherServiceChanges_isNotWoken() throws Exception {
    store.write(tx -> {
      Catalog.ensureNode(tx, StateStoreTest.node("n1"));
      return null;
    });
    try (Watches.Waiter w = store.watches().register(Watches.WatchSet.of(Catalog.serviceIndex("a")))) {
      store.write(tx -> {
        Catalog.ensureService(tx, StateStoreTest.service("n1", "b"));
        return null;
      });
      assertThat(w.await(Duration.ZERO)).isFalse();
      store.write(tx -> {
        Catalog.ensureService(tx, StateStoreTest.service("n1", "a"));
        return null;
      });
      assertThat(w.await(Duration.ZERO)).isTrue();
    }
    assertThat(store.watches().waiting()).isZero();
  }

  @Test
  void kvPrefixWatch_keyUnderPrefixDeleted_isWoken() throws Exception {
    store.write(tx -> {
      Kv.set(tx, "app/x", null, 0);
      return null;
    });
    try (Watches.Waiter w = store.watches().register(Watches.WatchSet.kv("app/"))) {
      store.write(tx -> {
        Kv.set(tx, "other", null, 0);
        return null;
      });
      assertThat(w.await(Duration.ZERO)).isFalse();
      store.write(tx -> {
        Kv.delete(tx, "app/x");
        return null;
      });
      assertThat(w.await(Duration.ZERO)).isTrue();
    }
  }
}
