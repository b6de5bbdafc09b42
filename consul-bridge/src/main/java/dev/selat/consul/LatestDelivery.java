package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Latest-state-wins delivery of one stream (a site's catalogs, a KV prefix's snapshots) to one listener, on the
 * listener's own executor: while the listener is busy, newer states replace the pending one, so a slow listener skips
 * intermediate states and never holds up whoever offers them. {@code rebase} restates each delivered state relative to
 * the one this listener saw last (its delta, its changes), so skipped states lose nothing. The listener is called on
 * {@code executor}, one call at a time, never with an older state after a newer one. A listener that throws is logged
 * and gets the next state; an executor that rejects a delivery (shut down) is logged once and tried again at the next
 * offer. Thread-safe.
 */
final class LatestDelivery<T> {
  private static final Logger log = LoggerFactory.getLogger(LatestDelivery.class);

  private final String name;
  private final Consumer<T> listener;
  private final Executor executor;
  private final BinaryOperator<T> rebase;
  private final AtomicReference<T> pending = new AtomicReference<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean warnedRejected = new AtomicBoolean();
  /** The last state delivered (null before the first); only touched by the draining task. */
  private T delivered;

  /** {@code rebase.apply(lastDelivered or null, next)} is {@code next} as this listener must see it. */
  LatestDelivery(String name, Executor executor, Consumer<T> listener, BinaryOperator<T> rebase) {
    this.name = requireNonNull(name, "name");
    this.executor = requireNonNull(executor, "executor");
    this.listener = requireNonNull(listener, "listener");
    this.rebase = requireNonNull(rebase, "rebase");
  }

  /** Catalogs, each with its delta since the catalog this listener saw before. */
  static LatestDelivery<SiteCatalog> ofCatalogs(String siteId, Executor executor, Consumer<SiteCatalog> listener) {
    return new LatestDelivery<>("catalog listener of site " + siteId, executor, listener, (before, next) ->
        next.withDelta(CatalogDelta.between(before == null ? java.util.Map.of() : before.services(), next.services())));
  }

  /** KV snapshots, each with its changes since the snapshot this listener saw before. */
  static LatestDelivery<KvSnapshot> ofKv(String siteId, String prefix, Executor executor, Consumer<KvSnapshot> listener) {
    return new LatestDelivery<>("KV listener of site " + siteId + " prefix " + prefix, executor, listener,
        (before, next) -> next.after(before == null ? KvSnapshot.notReadYet(siteId, prefix) : before));
  }

  void offer(T state) {
    pending.set(requireNonNull(state, "state"));
    if (draining.compareAndSet(false, true)) {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        draining.set(false);
        if (warnedRejected.compareAndSet(false, true)) {
          log.warn("{}: its executor rejected a delivery ({}); the latest state waits for the next one", name, e.toString());
        }
      }
    }
  }

  private void drain() {
    while (true) {
      T next = pending.getAndSet(null);
      if (next == null) {
        draining.set(false);
        if (pending.get() == null || !draining.compareAndSet(false, true)) {
          return;
        }
        continue;
      }
      T rebased = rebase.apply(delivered, next);
      delivered = next;
      try {
        listener.accept(rebased);
      } catch (RuntimeException e) {
        log.error("{} failed", name, e);
      }
    }
  }
}
