package dev.selat.testkit;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic {@link ScheduledExecutorService} on fake time, as grpc-java's {@code FakeClock}: tasks run only when
 * the test calls {@link #runDueTasks} or {@link #forward}, on the test's thread, one at a time, in order of due time
 * then submission. {@link #nanos} is its monotonic time (for a {@code long nanos()} ticker) and {@link #wallClock} a
 * {@link FakeClock} that moves with it (and that a test may also step on its own, as NTP would). A task that throws
 * fails the test: the exception reaches the thread that moved time (and the task's future holds it).
 *
 * <p>Thread-safe for submission: code under test may post from other threads; only the driving thread runs tasks.
 */
public final class FakeScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private final FakeClock wallClock;
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private long nanos = 1_000_000_000L;
  private long sequence;
  private boolean shutdown;

  /** Its wall clock starts at 2026-01-01T00:00:00Z. */
  public FakeScheduler() {
    this(new FakeClock());
  }

  public FakeScheduler(FakeClock wallClock) {
    this.wallClock = requireNonNull(wallClock, "wallClock");
  }

  /** The monotonic time, in nanoseconds; only differences mean anything. */
  public synchronized long nanos() {
    return nanos;
  }

  /** The wall clock that {@link #forward} moves along. */
  public FakeClock wallClock() {
    return wallClock;
  }

  /** Runs every task due now, including those they post that are due now too; returns how many ran. */
  public int runDueTasks() {
    int ran = 0;
    for (Task<?> t = pollDue(); t != null; t = pollDue()) {
      t.run();
      ran++;
    }
    return ran;
  }

  /** Moves time forward by {@code d}, stopping at each task's due time to run it (and what it posts), as time would. */
  public void forward(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("d: must not be negative, was " + d);
    }
    long target;
    synchronized (this) {
      target = nanos + d.toNanos();
    }
    runDueTasks();
    while (true) {
      long step;
      synchronized (this) {
        Task<?> next = queue.peek();
        if (next == null || next.dueNanos > target) {
          step = target - nanos;
          nanos = target;
        } else {
          step = Math.max(0, next.dueNanos - nanos);
          nanos += step;
        }
      }
      wallClock.advance(Duration.ofNanos(step));
      if (runDueTasks() == 0 && nanos() == target) {
        return;
      }
    }
  }

  /** Tasks not run yet, timers (delayed tasks) included. */
  public synchronized int pendingTasks() {
    return queue.size();
  }

  /** The delays, from now, of the tasks not run yet, soonest first. */
  public synchronized List<Duration> pendingDelays() {
    return queue.stream().sorted().map(t -> Duration.ofNanos(t.dueNanos - nanos)).toList();
  }

  private synchronized Task<?> pollDue() {
    Task<?> next = queue.peek();
    if (next == null || next.dueNanos > nanos) {
      return null;
    }
    return queue.poll();
  }

  private synchronized <V> Task<V> add(Task<V> task) {
    if (shutdown) {
      throw new RejectedExecutionException("FakeScheduler is shut down");
    }
    queue.add(task);
    return task;
  }

  private synchronized void remove(Task<?> task) {
    queue.remove(task);
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return schedule(() -> {
      command.run();
      return null;
    }, delay, unit);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    synchronized (this) {
      return add(new Task<>(callable, nanos + Math.max(0, unit.toNanos(delay)), 0));
    }
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    return periodic(command, initialDelay, period, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return periodic(command, initialDelay, delay, unit);
  }

  /** On fake time, a task takes no time: fixed rate and fixed delay are the same. */
  private ScheduledFuture<?> periodic(Runnable command, long initialDelay, long period, TimeUnit unit) {
    if (period <= 0) {
      throw new IllegalArgumentException("period: must be positive, was " + period);
    }
    synchronized (this) {
      return add(new Task<>(() -> {
        command.run();
        return null;
      }, nanos + Math.max(0, unit.toNanos(initialDelay)), unit.toNanos(period)));
    }
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> pending = new ArrayList<>(queue);
    queue.clear();
    return pending;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown && queue.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  /** A task, one-shot or periodic; a failure is kept for {@link #get} and also thrown to the thread driving time. */
  private final class Task<V> implements ScheduledFuture<V>, Runnable {
    private final Callable<V> callable;
    private final long periodNanos;
    private long seq;
    private long dueNanos;
    private volatile boolean cancelled;
    private volatile boolean done;
    private volatile V result;
    private volatile Throwable failure;

    Task(Callable<V> callable, long dueNanos, long periodNanos) {
      this.callable = callable;
      this.dueNanos = dueNanos;
      this.periodNanos = periodNanos;
      this.seq = nextSequence();
    }

    @Override
    public void run() {
      if (cancelled || done) {
        return;
      }
      try {
        V v = callable.call();
        if (periodNanos == 0) {
          result = v;
          done = true;
        } else {
          synchronized (FakeScheduler.this) {
            if (!shutdown && !cancelled) {
              dueNanos = nanos + periodNanos;
              seq = sequence++;
              queue.add(this);
            }
          }
        }
      } catch (Exception | Error e) {
        failure = e;
        done = true;
        if (e instanceof RuntimeException r) {
          throw r;
        }
        if (e instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException("task failed", e);
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueNanos - nanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      Task<?> other = (Task<?>) o;
      int byTime = Long.compare(dueNanos, other.dueNanos);
      return byTime != 0 ? byTime : Long.compare(seq, other.seq);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (done) {
        return false;
      }
      cancelled = true;
      remove(this);
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public V get() throws ExecutionException {
      if (cancelled) {
        throw new CancellationException();
      }
      if (!done) {
        throw new IllegalStateException("not run yet: on fake time, a test runs it by moving time (forward/runDueTasks)");
      }
      if (failure != null) {
        throw new ExecutionException(failure);
      }
      return result;
    }

    @Override
    public V get(long timeout, TimeUnit unit) throws ExecutionException {
      return get();
    }
  }

  private synchronized long nextSequence() {
    return sequence++;
  }
}
