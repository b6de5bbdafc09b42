package dev.selat.consul;

import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Latest-state-wins delivery of one site's catalogs to one listener: while the listener is busy, newer catalogs replace
 * the pending one. Each delivered catalog's delta is rebased on the catalog this listener saw last, so skipped
 * intermediate states lose nothing. The listener is called on {@code executor}, never concurrently with itself.
 */
final class LatestDelivery {
  private static final Logger log = LoggerFactory.getLogger(LatestDelivery.class);

  private final Consumer<SiteCatalog> listener;
  private final Executor executor;
  private final AtomicReference<SiteCatalog> pending = new AtomicReference<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  /** Only touched by the draining task. */
  private Map<String, ServiceEntry> delivered = Map.of();

  LatestDelivery(Consumer<SiteCatalog> listener, Executor executor) {
    this.listener = listener;
    this.executor = executor;
  }

  void offer(SiteCatalog catalog) {
    pending.set(catalog);
    if (draining.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }

  private void drain() {
    while (true) {
      SiteCatalog next = pending.getAndSet(null);
      if (next == null) {
        draining.set(false);
        if (pending.get() == null || !draining.compareAndSet(false, true)) {
          return;
        }
        continue;
      }
      SiteCatalog rebased = next.withDelta(CatalogDelta.between(delivered, next.services()));
      delivered = next.services();
      try {
        listener.accept(rebased);
      } catch (RuntimeException e) {
        log.error("catalog listener failed on site {} generation {}", next.siteId(), next.generation(), e);
      }
    }
  }
}
