package dev.selat.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one measurement cell: a fresh server JVM, N clients in this JVM, the storm, retained heap,
 * then updates. Progress goes to {@code progress}; figures come back as records.
 *
 * @param clusters clusters per group
 * @param serverFlags the JVM flags every server gets (the same for all three)
 * @param logDir where the server JVMs' logs go
 * @param stormTimeout how long the N clients may take to be served
 * @param updateTimeout how long one update may take to reach every client
 * @param profileDir if not null, each fan-out cell's measured updates (only them) are profiled with
 *     JFR into {@code <server>-<protocol>-<N>.jfr} there
 */
record Harness(int clusters, List<String> serverFlags, Path logDir, Duration stormTimeout, Duration updateTimeout,
    PrintStream progress, Path profileDir) {

  Harness {
    serverFlags = List.copyOf(serverFlags);
  }

  /**
   * Publishes {@code warmups} + {@code updates} one-cluster updates, each once the previous one
   * reached every client, and measures the last {@code updates}; stops measuring once {@code budget}
   * has passed since the first measured update (the count says how many were measured).
   */
  CellResult fanout(BenchServer.Kind kind, boolean delta, int clients, int streamsPerChannel, int warmups,
      int updates, Duration budget) throws IOException, InterruptedException {
    String protocol = delta ? "delta" : "sotw";
    progress.printf("# %s %s N=%d (%d streams/connection)%n", kind.id(), protocol, clients, streamsPerChannel);
    Workload workload = Workload.standard(clusters);
    try (ServerProcess server = ServerProcess.start(kind, clusters, serverFlags, logDir);
        Fleet fleet = new Fleet(workload.subscription(), server.port(), clients, streamsPerChannel, delta)) {
      Storm storm = storm(server, fleet);
      if (storm.nanos < 0) {
        return new CellResult(kind, protocol, clients, streamsPerChannel, -1, storm.peakHeap, -1, List.of(), 0,
            List.of(), List.of(), storm.peakDirect, fleet.failures(), stormFailure(server, fleet));
      }
      long retained = (settledHeap(server) - storm.baselineHeap) / clients;
      List<Long> fanout = new ArrayList<>();
      List<Long> cpu = new ArrayList<>();
      List<Long> bytes = new ArrayList<>();
      int timeouts = 0;
      String failure = null;
      long deadline = Long.MAX_VALUE;
      for (int k = 1; k <= warmups + updates; k++) {
        boolean measured = k > warmups;
        if (measured && deadline == Long.MAX_VALUE) {
          deadline = System.nanoTime() + budget.toNanos();
          if (profileDir != null) {
            java.nio.file.Files.createDirectories(profileDir);
            server.startProfile(profileDir.resolve(kind.id() + "-" + protocol + "-" + clients + ".jfr"));
          }
        }
        if (System.nanoTime() > deadline) {
          failure = "budget " + budget + " spent after " + fanout.size() + " updates";
          break;
        }
        fleet.expect(k, Workload.clusterName(workload.changedCluster(k)), Workload.marker(k));
        long cpuBefore = server.stats().cpuNanos();
        long publishedAt = server.publish(k);
        boolean reached = fleet.awaitReached(updateTimeout);
        long cpuAfter = server.stats().cpuNanos();
        if (!reached) {
          timeouts++;
          progress.printf("  update %d: only %d of %d clients within %s%n", k, fleet.reachedCount(), clients,
              updateTimeout);
          if (!server.isAlive()) {
            failure = "server died: " + server.exitReason();
            break;
          }
          continue;
        }
        if (measured) {
          fanout.add(fleet.lastReachedNanos() - publishedAt);
          cpu.add(cpuAfter - cpuBefore);
          bytes.add(fleet.bytesReceived() / clients);
          progress.printf("  update %d: %.1f ms, %d B/stream, %.3f cpu-s%n", k,
              (fleet.lastReachedNanos() - publishedAt) / 1e6, fleet.bytesReceived() / clients,
              (cpuAfter - cpuBefore) / 1e9);
        }
      }
      if (profileDir != null && server.isAlive()) {
        server.stopProfile();
      }
      return new CellResult(kind, protocol, clients, streamsPerChannel, storm.nanos, storm.peakHeap, retained,
          fanout, timeouts, cpu, bytes, server.stats().peakDirect(), fleet.failures(), failure);
    }
  }

  /**
   * Publishes {@code updates} updates {@code interval} apart whether or not clients keep up, then
   * waits for the last to reach every client: a server that buffers instead of flow-controlling runs
   * out of memory here.
   */
  PacedResult paced(BenchServer.Kind kind, boolean delta, int clients, int streamsPerChannel, int updates,
      Duration interval) throws IOException, InterruptedException {
    String protocol = delta ? "delta" : "sotw";
    progress.printf("# paced %s %s N=%d, %d updates %s apart%n", kind.id(), protocol, clients, updates, interval);
    Workload workload = Workload.standard(clusters);
    try (ServerProcess server = ServerProcess.start(kind, clusters, serverFlags, logDir);
        Fleet fleet = new Fleet(workload.subscription(), server.port(), clients, streamsPerChannel, delta)) {
      Storm storm = storm(server, fleet);
      if (storm.nanos < 0) {
        return new PacedResult(kind, protocol, clients, updates, interval, -1, storm.peakHeap, -1, 0, -1,
            storm.peakDirect, stormFailure(server, fleet));
      }
      server.resetPeak();
      long publishedAt = 0;
      long next = System.nanoTime();
      for (int k = 1; k <= updates && server.isAlive(); k++) {
        TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
        next += interval.toNanos();
        fleet.expect(k, Workload.clusterName(workload.changedCluster(k)), Workload.marker(k));
        publishedAt = server.publish(k);
      }
      boolean reached = fleet.awaitReached(updateTimeout);
      String failure = server.memoryFailure();
      if (failure == null) {
        failure = server.exitReason();
      }
      ServerProcess.Stats stats = server.statsIfAlive();
      return new PacedResult(kind, protocol, clients, updates, interval, storm.nanos, storm.peakHeap,
          reached ? fleet.lastReachedNanos() - publishedAt : -1, fleet.reachedCount(), stats.peakHeap(),
          Math.max(storm.peakDirect, stats.peakDirect()), failure);
    }
  }

  private record Storm(long nanos, long peakHeap, long peakDirect, long baselineHeap) {}

  /**
   * Heap after GC once the server has caught up: a client's last ACK may still wait in the server's
   * queues when the client counts itself served, so the lower of two readings two seconds apart.
   */
  private static long settledHeap(ServerProcess server) throws IOException, InterruptedException {
    TimeUnit.SECONDS.sleep(2);
    long first = server.heapAfterGc();
    TimeUnit.SECONDS.sleep(2);
    return Math.min(first, server.heapAfterGc());
  }

  private Storm storm(ServerProcess server, Fleet fleet) throws IOException, InterruptedException {
    long baseline = server.heapAfterGc();
    server.resetPeak();
    long start = System.nanoTime();
    fleet.connectAll();
    long deadline = start + stormTimeout.toNanos();
    boolean served = false;
    while (!served && server.isAlive() && System.nanoTime() < deadline) {
      served = fleet.awaitServed(Duration.ofNanos(Math.min(1_000_000_000L, deadline - System.nanoTime())));
    }
    ServerProcess.Stats stats = server.statsIfAlive();
    long peak = stats.peakHeap();
    long nanos = served ? fleet.lastServedNanos() - start : -1;
    progress.printf("  storm: %s, peak heap %s, failures %s%n",
        served ? String.format("%.2f s", nanos / 1e9) : "NOT all served (" + fleet.servedCount() + ")",
        Report.mb(peak), fleet.failures());
    return new Storm(nanos, peak, stats.peakDirect(), baseline);
  }

  private String stormFailure(ServerProcess server, Fleet fleet) throws IOException {
    String served = "only " + fleet.servedCount() + " of " + fleet.size() + " served";
    String exit = server.exitReason();
    return exit != null ? served + " before the storm killed the server: " + exit : served + " within " + stormTimeout;
  }

  /**
   * The paced run of one server.
   *
   * @param convergeNanos from the last publish to the last client's ACK of it; -1 if not all got it
   * @param reachedLast clients that got the last update
   */
  record PacedResult(BenchServer.Kind server, String protocol, int clients, int updates, Duration interval,
      long stormNanos, long stormPeakHeap, long convergeNanos, long reachedLast, long peakHeap, long peakDirect,
      String failure) {}
}
