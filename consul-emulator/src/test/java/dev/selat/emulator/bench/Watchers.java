package dev.selat.emulator.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;
import org.awaitility.Awaitility;

/**
 * Blocking-query clients, one virtual thread each, that re-arm with the new index after every answer as a Consul
 * client does. A {@link Round} collects the wakes of one write's service. They have their own HTTP client, closed with
 * them, so that their connections (and the server's parked queries) end with them.
 */
final class Watchers implements AutoCloseable {
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  // Its async work on virtual threads too, so that the platform thread count is the emulator's (and the JVM's).
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor).build();
  private final URI base;
  private final int[] serviceOf;
  private final AtomicInteger parked = new AtomicInteger();
  private final AtomicLong wakes = new AtomicLong();
  private volatile Round round;
  private volatile boolean closed;

  Watchers(URI base, int count, IntUnaryOperator serviceOfWatcher) {
    this.base = base;
    this.serviceOf = new int[count];
    for (int w = 0; w < count; w++) {
      serviceOf[w] = serviceOfWatcher.applyAsInt(w);
      int service = serviceOf[w];
      executor.submit(() -> watch(service));
    }
    awaitAllParked();
  }

  /** Prepares the measurement of a write to {@code service}, once every watcher has its next query in flight. */
  Round arm(int service) {
    // Every query is sent. One that reaches the server only after the write still sees an older index, answers at
    // once and counts as a wake of this round, so the round needs no pause for the queries to park.
    awaitAllParked();
    int expected = 0;
    for (int s : serviceOf) {
      expected += s == service ? 1 : 0;
    }
    Round next = new Round(service, expected);
    round = next;
    return next;
  }

  long totalWakes() {
    return wakes.get();
  }

  private void watch(int service) {
    long index = 0; // the first query does not block: it learns the index to block on
    while (!closed) {
      boolean blocking = index != 0;
      if (blocking) {
        parked.incrementAndGet();
      }
      HttpResponse<String> response;
      try {
        response = http.send(HttpRequest.newBuilder(
                base.resolve("/v1/health/service/svc-" + service + "?index=" + index + "&wait=5m"))
            .timeout(Duration.ofMinutes(6)).GET().build(), HttpResponse.BodyHandlers.ofString());
      } catch (Exception e) {
        if (closed) {
          return;
        }
        throw new IllegalStateException("blocking query on svc-" + service + ": " + e, e);
      } finally {
        if (blocking) {
          parked.decrementAndGet();
        }
      }
      long now = System.nanoTime();
      long answered = Long.parseLong(response.headers().firstValue("X-Consul-Index").orElseThrow());
      if (index != 0 && answered != index) {
        wakes.incrementAndGet();
        Round current = round;
        if (current != null && current.service == service) {
          current.woke(now);
        }
      }
      index = answered;
    }
  }

  private void awaitAllParked() {
    Awaitility.await("all " + serviceOf.length + " blocking queries sent").atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofMillis(5)).until(() -> parked.get() >= serviceOf.length);
  }

  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
    http.shutdownNow();
  }

  /** The wakes caused by one write. */
  static final class Round {
    private final int service;
    private final CountDownLatch pending;
    private final AtomicLong lastWake = new AtomicLong();

    Round(int service, int expected) {
      this.service = service;
      this.pending = new CountDownLatch(expected);
    }

    void woke(long nanos) {
      lastWake.accumulateAndGet(nanos, Math::max);
      pending.countDown();
    }

    /** The time the last expected watcher woke. */
    long awaitLastWake() throws InterruptedException {
      if (!pending.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(pending.getCount() + " watchers of svc-" + service + " did not wake in 30 s");
      }
      return lastWake.get();
    }
  }
}
