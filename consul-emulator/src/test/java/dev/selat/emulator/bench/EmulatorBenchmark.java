package dev.selat.emulator.bench;

import dev.selat.emulator.ConsulEmulator;
import dev.selat.emulator.EmulatorConfig;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.IntUnaryOperator;

/**
 * Load benchmark of consul-emulator (not a test): 10,000 services x 5 instances, then 2,000 concurrent blocking
 * queries on /v1/health/service. Prints the heap and platform threads, and the time from a write to the last query it
 * wakes (p50/p99, from the write sent and from its acknowledgement), for two shapes: all 2,000 queries on one service
 * (fan-out), and one query per service (a write wakes one query; the others must stay parked).
 *
 * <p>Run: {@code mvn -B -ntp -q -pl consul-emulator test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * && java -Xmx2g -cp consul-emulator/target/test-classes:consul-emulator/target/classes:$(cat consul-emulator/target/cp.txt)
 * dev.selat.emulator.bench.EmulatorBenchmark [services] [queries]}. The emulator, the writer and the 2,000
 * clients (virtual threads, one JDK HttpClient) share this JVM and its cores, so heap and latency are an upper bound of
 * what the emulator alone needs.
 */
public final class EmulatorBenchmark {
  private static final int INSTANCES = 5;
  private static final int ROUNDS = 100;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
  private final URI base;
  private final int services;

  private EmulatorBenchmark(URI base, int services) {
    this.base = base;
    this.services = services;
  }

  /** Arguments (optional): the number of services (10,000) and of blocking queries (2,000). */
  public static void main(String[] args) throws Exception {
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int watchers = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    // All clients come from 127.0.0.1: lift the per-client connection limit (Consul's default is 200) above the
    // watchers, with room for one group's connections still closing while the next group starts.
    EmulatorConfig config = EmulatorConfig.builder().datacenter("bench").httpMaxConnsPerClient(2 * watchers + 100).build();
    try (ConsulEmulator emulator = ConsulEmulator.start(config)) {
      EmulatorBenchmark bench = new EmulatorBenchmark(emulator.httpAddress(), services);
      long start = System.nanoTime();
      bench.populate();
      System.out.printf("registered %,d services x %d instances in %.1f s (%.0f registrations/s)%n", services, INSTANCES,
          seconds(start), services * INSTANCES / seconds(start));
      printResources("after registration");

      try (Watchers fanOut = new Watchers(emulator.httpAddress(), watchers, i -> 0)) {
        printResources("with " + watchers + " blocking queries parked on one service");
        report("fan-out, " + watchers + " queries on one service", bench.rounds(fanOut, r -> 0));
      }
      try (Watchers spread = new Watchers(emulator.httpAddress(), watchers, i -> i % services)) {
        printResources("with " + watchers + " blocking queries parked on " + Math.min(watchers, services) + " services");
        report("spread, one query per service", bench.rounds(spread, r -> (r * 7919) % Math.min(watchers, services)));
        System.out.printf("spread: %d wakes for %d writes (a write must wake only its own service's query)%n",
            spread.totalWakes(), ROUNDS);
      }
    }
  }

  /** Registers every instance through /v1/catalog/register, 64 requests at a time. */
  private void populate() throws InterruptedException {
    Semaphore inFlight = new Semaphore(64);
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int s = 0; s < services; s++) {
        for (int i = 0; i < INSTANCES; i++) {
          inFlight.acquire();
          int service = s;
          int instance = i;
          executor.submit(() -> {
            try {
              register(service, instance, "v0");
            } finally {
              inFlight.release();
            }
          });
        }
      }
    }
  }

  /** Each round changes one service and measures, to the last of its watchers woken: from the write sent, and from its acknowledgement. */
  private long[][] rounds(Watchers watchers, IntUnaryOperator serviceOfRound) throws InterruptedException {
    long[][] nanos = new long[2][ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      int service = serviceOfRound.applyAsInt(r);
      Watchers.Round round = watchers.arm(service);
      long sent = System.nanoTime();
      register(service, 0, "round-" + r);
      long acknowledged = System.nanoTime();
      long lastWake = round.awaitLastWake();
      nanos[0][r] = lastWake - sent;
      nanos[1][r] = lastWake - acknowledged;
    }
    return nanos;
  }

  void register(int service, int instance, String tag) {
    // A node's own fields never change, so that a write changes one service only (a node change wakes all its services).
    String body = """
        {"Node": "node-%d", "Address": "10.0.0.%d",
         "Service": {"ID": "svc-%d-%d", "Service": "svc-%d", "Port": %d, "Tags": ["%s"]}}"""
        .formatted(instance, instance + 1, service, instance, service, 8000 + service % 1000, tag);
    HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/v1/catalog/register"))
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("register svc-" + service + ": " + response.statusCode() + " " + response.body());
    }
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(request.uri() + ": " + e, e);
    }
  }

  private static void report(String shape, long[][] nanos) {
    System.out.printf("%s, over %d writes, time to the last woken query:%n", shape, ROUNDS);
    String[] from = {"write sent", "write acknowledged (negative: woke before the writer had its answer)"};
    for (int i = 0; i < from.length; i++) {
      long[] sorted = nanos[i].clone();
      Arrays.sort(sorted);
      System.out.printf("  from %s: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", from[i],
          percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6, sorted[sorted.length - 1] / 1e6);
    }
  }

  private static long percentile(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static void printResources(String when) {
    System.gc();
    var memory = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    var threads = ManagementFactory.getThreadMXBean();
    System.out.printf("%s: heap used %,d MiB (committed %,d MiB), platform threads %d (peak %d)%n", when,
        memory.getUsed() >> 20, memory.getCommitted() >> 20, threads.getThreadCount(), threads.getPeakThreadCount());
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
