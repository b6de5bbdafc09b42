package dev.selat.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The server JVM: starts one {@link BenchServer} and obeys the driver's line commands on stdin,
 * answering each with one line on stdout that starts with {@link #REPLY}:
 * {@code publish K} (update K; replies the System.nanoTime() just before the server was handed it),
 * {@code stats} (process CPU ns, heap used, peak heap and peak direct memory since {@code reset-peak}),
 * {@code gc} (heap used after full collections), {@code reset-peak}, {@code jfr-start FILE} and
 * {@code jfr-stop} (a JFR profile of just the phase between them), {@code quit}.
 * Logging goes to stderr, so stdout carries only replies.
 */
public final class ServerMain {
  static final String REPLY = "bench ";

  private ServerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: ServerMain <selat|jcp|floor> <clusters>");
      System.exit(2);
    }
    Workload workload = Workload.standard(Integer.parseInt(args[1]));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Peaks peaks = new Peaks();
    try (BenchServer server = BenchServer.Kind.of(args[0]).start(workload)) {
      out.println(REPLY + "ready " + server.port());
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      Recording recording = null;
      String line;
      while ((line = in.readLine()) != null) {
        String[] cmd = line.trim().split(" ");
        switch (cmd[0]) {
          case "publish" -> {
            int update = Integer.parseInt(cmd[1]);
            long publishedAt = System.nanoTime();
            server.update(workload.changedCluster(update), Workload.marker(update));
            out.println(REPLY + "published " + publishedAt);
          }
          case "stats" -> out.println(REPLY + "stats " + peaks.cpuNanos() + " " + peaks.heapUsed() + " "
              + peaks.peakHeap.get() + " " + peaks.peakDirect.get());
          case "gc" -> out.println(REPLY + "gc " + peaks.heapAfterGc());
          case "jfr-start" -> {
            recording = new Recording(Configuration.getConfiguration("profile"));
            recording.setDestination(Path.of(cmd[1]));
            recording.start();
            out.println(REPLY + "ok");
          }
          case "jfr-stop" -> {
            recording.stop();
            recording.close();
            out.println(REPLY + "ok");
          }
          case "reset-peak" -> {
            peaks.reset();
            out.println(REPLY + "ok");
          }
          case "quit" -> {
            out.println(REPLY + "bye");
            return;
          }
          default -> out.println(REPLY + "error unknown command: " + cmd[0]);
        }
      }
    } finally {
      peaks.close();
    }
  }

  /** Samples heap and direct memory every 10 ms, keeping the peaks. */
  private static final class Peaks implements AutoCloseable {
    final AtomicLong peakHeap = new AtomicLong();
    final AtomicLong peakDirect = new AtomicLong();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final OperatingSystemMXBean os =
        (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-peaks");
      t.setDaemon(true);
      return t;
    });

    Peaks() {
      sampler.scheduleAtFixedRate(this::sample, 0, 10, TimeUnit.MILLISECONDS);
    }

    private void sample() {
      peakHeap.accumulateAndGet(heapUsed(), Math::max);
      peakDirect.accumulateAndGet(directUsed(), Math::max);
    }

    long heapUsed() {
      return memory.getHeapMemoryUsage().getUsed();
    }

    long cpuNanos() {
      return os.getProcessCpuTime();
    }

    long heapAfterGc() {
      // Two collections: the first may only promote what the second then frees.
      memory.gc();
      memory.gc();
      return heapUsed();
    }

    void reset() {
      peakHeap.set(heapUsed());
      peakDirect.set(directUsed());
    }

    /** NIO direct buffers plus what gRPC's shaded Netty allocates without a Cleaner (not in the NIO pool). */
    private static long directUsed() {
      long nio = 0;
      for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
        if ("direct".equals(pool.getName())) {
          nio = pool.getMemoryUsed();
        }
      }
      long netty = io.grpc.netty.shaded.io.netty.util.internal.PlatformDependent.usedDirectMemory();
      return nio + Math.max(0, netty);
    }

    @Override
    public void close() {
      sampler.shutdownNow();
    }
  }
}
