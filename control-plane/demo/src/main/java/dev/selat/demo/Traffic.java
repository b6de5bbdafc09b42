package dev.selat.demo;

import static java.util.Objects.requireNonNull;

import dev.selat.testkit.NamedBackend;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A traffic generator in one site calling one service through that site's sidecar Envoy, as an application would: a
 * call every {@code interval}, each answered by a backend named {@code <site>-<n>}. What it measured over a recent
 * window is what the view shows: where the calls went and how long they took.
 */
final class Traffic implements AutoCloseable {
  /** One call: when it ended, the site that answered (empty when it failed) and how long it took. */
  record Sample(long endNanos, String site, double millis) {}

  /**
   * What the generator saw over a window.
   *
   * @param percentBySite the answered calls per site, in percent of all answered ones
   * @param p50Millis the median call time of the answered calls (NaN when none was)
   */
  record Stats(int calls, int failed, Map<String, Integer> percentBySite, double p50Millis) {
    static Stats of(List<Sample> samples) {
      Map<String, Integer> count = new TreeMap<>();
      List<Double> millis = new ArrayList<>();
      int failed = 0;
      for (Sample s : samples) {
        if (s.site().isEmpty()) {
          failed++;
        } else {
          count.merge(s.site(), 1, Integer::sum);
          millis.add(s.millis());
        }
      }
      millis.sort(null);
      int answered = millis.size();
      Map<String, Integer> percent = new TreeMap<>();
      count.forEach((site, n) -> percent.put(site, (int) Math.round(100.0 * n / answered)));
      return new Stats(samples.size(), failed, percent, answered == 0 ? Double.NaN : millis.get((answered - 1) / 2));
    }
  }

  private static final Duration KEEP = Duration.ofSeconds(30);

  private final String site;
  private final String service;
  private final Duration interval;
  private final ManagedChannel channel;
  private final Deque<Sample> samples = new ArrayDeque<>();
  private final Thread loop;
  private volatile boolean running = true;

  Traffic(String site, String service, int sidecarPort, Duration interval) {
    this.site = requireNonNull(site, "site");
    this.service = requireNonNull(service, "service");
    this.interval = requireNonNull(interval, "interval");
    this.channel = Grpc.newChannelBuilder("127.0.0.1:" + sidecarPort, InsecureChannelCredentials.create())
        .overrideAuthority(service).build();
    this.loop = Thread.ofVirtual().name("traffic-" + site + "-" + service).start(this::run);
  }

  String site() {
    return site;
  }

  String service() {
    return service;
  }

  private void run() {
    long next = System.nanoTime();
    while (running) {
      long start = System.nanoTime();
      String answeredBy = "";
      try {
        String backend = ClientCalls.blockingUnaryCall(channel, NamedBackend.WHO,
            CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS), "who");
        answeredBy = backend.substring(0, backend.lastIndexOf('-'));
      } catch (RuntimeException failed) {
        // counted as a failed call: no endpoint, deadline, reset
      }
      long end = System.nanoTime();
      record(new Sample(end, answeredBy, (end - start) / 1e6));
      next = Math.max(next + interval.toNanos(), end);
      LockSupport.parkNanos(next - System.nanoTime());
    }
  }

  private synchronized void record(Sample sample) {
    samples.addLast(sample);
    while (!samples.isEmpty() && sample.endNanos() - samples.peekFirst().endNanos() > KEEP.toNanos()) {
      samples.removeFirst();
    }
  }

  /** Forgets the calls so far (those of the warm-up). */
  synchronized void clear() {
    samples.clear();
  }

  /** What the calls that ended in the last {@code window} saw. */
  synchronized Stats stats(Duration window) {
    long since = System.nanoTime() - window.toNanos();
    return Stats.of(samples.stream().filter(s -> s.endNanos() >= since).toList());
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    loop.interrupt();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
