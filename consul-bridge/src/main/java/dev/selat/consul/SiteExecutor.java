package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The owner of one site's state: tasks and timers on a scheduler the caller gives and keeps (it must run one task at a
 * time, e.g. a single-thread {@link java.util.concurrent.ScheduledThreadPoolExecutor}, or a fake scheduler in tests).
 * After {@link #close} nothing more runs: tasks posted later (a request answering after close) are dropped and the
 * pending timers are cancelled, so the scheduler is left with none of this site's. Thread-safe.
 */
final class SiteExecutor {
  private final ScheduledExecutorService scheduler;
  private final Set<ScheduledFuture<?>> timers = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  SiteExecutor(ScheduledExecutorService scheduler) {
    this.scheduler = requireNonNull(scheduler, "scheduler");
  }

  void execute(Runnable task) {
    if (closed) {
      return;
    }
    try {
      scheduler.execute(() -> {
        if (!closed) {
          task.run();
        }
      });
    } catch (RejectedExecutionException e) {
      // The scheduler is shutting down with the bridge: nothing is left to update.
    }
  }

  void schedule(Runnable task, Duration delay) {
    if (closed) {
      return;
    }
    AtomicReference<ScheduledFuture<?>> self = new AtomicReference<>();
    try {
      ScheduledFuture<?> f = scheduler.schedule(() -> {
        timers.remove(self.get());
        if (!closed) {
          task.run();
        }
      }, delay.toNanos(), TimeUnit.NANOSECONDS);
      // Called on the owner: a serial scheduler cannot run the timer before this task ends and it is recorded.
      self.set(f);
      timers.add(f);
    } catch (RejectedExecutionException e) {
      // As in execute.
    }
  }

  void close() {
    closed = true;
    timers.forEach(f -> f.cancel(false));
    timers.clear();
  }
}
