package dev.selat.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The benchmark driver: this JVM runs the simulated clients and launches each server in a JVM of
 * its own, one after the other, so the three alternate within one run under the same flags.
 */
@Command(name = "xds-bench", mixinStandardHelpOptions = true,
    subcommands = {BenchMain.Fanout.class, BenchMain.Paced.class, BenchMain.Table.class, BenchMain.E2e.class,
        ProfileSummary.class},
    description = "xDS fan-out: Selat's xds-server side by side with java-control-plane and a raw gRPC floor.")
public final class BenchMain {

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
  }

  /** Options every command shares. */
  static final class Common {
    @Option(names = "--clusters", defaultValue = "1000", description = "Clusters per group (10 endpoints each).")
    int clusters;

    @Option(names = "--server-heap", defaultValue = "4g", description = "Every server JVM's -Xmx.")
    String serverHeap;

    @Option(names = "--servers", split = ",", defaultValue = "floor,selat,jcp", description = "Servers, in run order.")
    List<String> servers;

    @Option(names = "--protocols", split = ",", defaultValue = "sotw,delta")
    List<String> protocols;

    @Option(names = "--streams-per-connection", defaultValue = "1",
        description = "ADS streams sharing one HTTP/2 connection (1: one connection per client, like Envoy).")
    int streamsPerConnection;

    @Option(names = "--update-timeout", defaultValue = "PT60S", description = "ISO-8601 duration.")
    Duration updateTimeout;

    @Option(names = "--storm-timeout", defaultValue = "PT120S", description = "ISO-8601 duration.")
    Duration stormTimeout;

    @Option(names = "--log-dir", defaultValue = "benchmarks/target/bench-logs")
    Path logDir;

    @Option(names = "--out", description = "Also write the tables (markdown) to this file.")
    Path out;

    @Option(names = "--server-jvm-arg", description = "An extra flag for every server JVM (repeatable),"
        + " e.g. -XX:StartFlightRecording=filename=selat.jfr to profile.")
    List<String> extraServerFlags = List.of();

    @Option(names = "--profile-dir", description = "Profile each server's measured updates (JFR) into this"
        + " directory; summarize a file with `xds-bench profile FILE`.")
    Path profileDir;

    Harness harness(String heap, PrintStream progress) {
      return harness(heap, stormTimeout, progress);
    }

    Harness harness(String heap, Duration storm, PrintStream progress) {
      List<String> flags = new ArrayList<>(List.of("-Xmx" + heap, "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError"));
      flags.addAll(extraServerFlags);
      return new Harness(clusters, flags, logDir, storm, updateTimeout, progress, profileDir);
    }

    List<BenchServer.Kind> kinds() {
      return servers.stream().map(BenchServer.Kind::of).toList();
    }

    List<Boolean> deltas() {
      return protocols.stream().map(p -> switch (p) {
        case "sotw" -> false;
        case "delta" -> true;
        default -> throw new IllegalArgumentException("protocols: unknown '" + p + "', expected sotw or delta");
      }).toList();
    }

    void publish(String markdown) throws IOException {
      System.out.println(markdown);
      if (out != null) {
        if (out.getParent() != null) {
          Files.createDirectories(out.getParent());
        }
        Files.writeString(out, markdown, StandardCharsets.UTF_8);
      }
    }
  }

  @Command(name = "fanout", mixinStandardHelpOptions = true,
      description = "Storm, retained heap, then one-cluster updates each waiting for every ACK.")
  static final class Fanout implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--n", split = ",", defaultValue = "1000", description = "Client counts.")
    List<Integer> clients;

    @Option(names = "--updates", defaultValue = "20")
    int updates;

    @Option(names = "--warmups", defaultValue = "2")
    int warmups;

    @Option(names = "--cell-budget", defaultValue = "PT5M",
        description = "Stop measuring a cell's updates after this long (ISO-8601); the table says how many ran.")
    Duration budget;

    @Override
    public Integer call() throws Exception {
      Instant start = Instant.now();
      List<CellResult> cells = run(common, common.harness(common.serverHeap, System.err), clients, updates,
          warmups, budget);
      common.publish(header(start, common) + "\n" + Report.figures(cells) + "\n" + Report.ratios(cells));
      return 0;
    }
  }

  @Command(name = "paced", mixinStandardHelpOptions = true,
      description = "Updates at a fixed interval whether or not clients keep up (flow control, memory bound).")
  static final class Paced implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--n", defaultValue = "10000")
    int clients;

    @Option(names = "--updates", defaultValue = "20")
    int updates;

    @Option(names = "--interval", defaultValue = "PT2S")
    Duration interval;

    @Override
    public Integer call() throws Exception {
      Instant start = Instant.now();
      List<Harness.PacedResult> runs = paced(common, common.harness(common.serverHeap, System.err), clients,
          updates, interval);
      common.publish(header(start, common) + "\n" + Report.paced(runs));
      return 0;
    }
  }

  @Command(name = "table", mixinStandardHelpOptions = true,
      description = "The whole BENCHMARKS.md table, most important cells first, within --deadline: fanout at"
          + " N=1000 (one connection per client), paced SotW for Selat at N=10000 with a --paced-heap server,"
          + " fanout at N=10000 (--big-streams-per-connection), then paced for the other --paced-servers.")
  static final class Table implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--big-streams-per-connection", defaultValue = "10")
    int bigStreamsPerConnection;

    @Option(names = "--big-cell-budget", defaultValue = "PT45S",
        description = "How long a N=10000 cell measures updates (ISO-8601); a slow server gets fewer.")
    Duration bigBudget;

    @Option(names = "--big-storm-timeout", defaultValue = "PT180S",
        description = "Storm timeout at N=10000 (ISO-8601); java-control-plane needs about 150 s here.")
    Duration bigStormTimeout;

    @Option(names = "--paced-heap", defaultValue = "1g")
    String pacedHeap;

    @Option(names = "--paced-servers", split = ",", defaultValue = "selat,jcp",
        description = "Selat's paced run comes right after N=1000; the others' run last.")
    List<String> pacedServers;

    @Option(names = "--deadline", defaultValue = "PT14M",
        description = "A cell that could not finish before this (ISO-8601, from the start) is skipped and listed.")
    Duration deadline;

    @Override
    public Integer call() throws Exception {
      Instant start = Instant.now();
      Instant end = start.plus(deadline);
      Harness harness = common.harness(common.serverHeap, System.err);
      Harness bigHarness = common.harness(common.serverHeap, bigStormTimeout, System.err);
      Harness pacedHarness = common.harness(pacedHeap, bigStormTimeout, System.err);
      List<CellResult> cells = new ArrayList<>();
      List<Harness.PacedResult> paced = new ArrayList<>();
      List<String> skipped = new ArrayList<>();
      // A cell reserves the time it may take: its storm, its update budget, start and stop.
      Duration small = Duration.ofSeconds(100);
      Duration big = bigStormTimeout.plus(bigBudget).plusSeconds(20);
      for (boolean delta : common.deltas()) {
        for (BenchServer.Kind kind : common.kinds()) {
          if (fits(end, small, skipped, "fanout", kind, delta, 1000)) {
            cells.add(harness.fanout(kind, delta, 1000, common.streamsPerConnection, 2, 20, Duration.ofMinutes(2)));
          }
        }
      }
      Duration pacedTime = bigStormTimeout.plusSeconds(40).plus(common.updateTimeout);
      if (pacedServers.contains(BenchServer.Kind.SELAT.id())
          && fits(end, pacedTime, skipped, "paced", BenchServer.Kind.SELAT, false, 10_000)) {
        paced.add(pacedHarness.paced(BenchServer.Kind.SELAT, false, 10_000, bigStreamsPerConnection, 20,
            Duration.ofSeconds(2)));
      }
      for (boolean delta : common.deltas()) {
        for (BenchServer.Kind kind : common.kinds()) {
          if (fits(end, big, skipped, "fanout", kind, delta, 10_000)) {
            cells.add(bigHarness.fanout(kind, delta, 10_000, bigStreamsPerConnection, 1, 20, bigBudget));
          }
        }
      }
      for (String id : pacedServers) {
        BenchServer.Kind kind = BenchServer.Kind.of(id);
        if (kind != BenchServer.Kind.SELAT && fits(end, pacedTime, skipped, "paced", kind, false, 10_000)) {
          paced.add(pacedHarness.paced(kind, false, 10_000, bigStreamsPerConnection, 20, Duration.ofSeconds(2)));
        }
      }
      common.publish(header(start, common) + "\n" + Report.figures(cells) + "\n" + Report.ratios(cells)
          + "\nPaced: 20 updates 2 s apart, N = 10,000 (" + bigStreamsPerConnection
          + " streams/connection), server -Xmx" + pacedHeap + "\n\n" + Report.paced(paced)
          + (skipped.isEmpty() ? "" : "\nSkipped to finish within " + deadline + ": " + String.join(", ", skipped) + "\n"));
      return 0;
    }

    private static boolean fits(Instant end, Duration reserve, List<String> skipped, String what, BenchServer.Kind kind,
        boolean delta, int clients) {
      if (Instant.now().plus(reserve).isAfter(end)) {
        skipped.add(what + " " + kind.id() + " " + (delta ? "delta" : "sotw") + " N=" + clients);
        return false;
      }
      return true;
    }
  }

  @Command(name = "e2e", mixinStandardHelpOptions = true,
      description = "The whole path: a Consul write until every simulated ADS client and a real Envoy have it, split"
          + " into its parts, beside a bare blocking query on the same write (issue 17).")
  static final class E2e implements Callable<Integer> {
    @Option(names = "--services", split = ",", defaultValue = "1000", description = "Mesh sizes, one run each.")
    List<Integer> services;

    @Option(names = "--instances", defaultValue = "5", description = "Instances of each service in each site.")
    int instances;

    @Option(names = "--clients", defaultValue = "100", description = "Simulated ADS clients (SotW).")
    int clients;

    @Option(names = "--changes", defaultValue = "200")
    int changes;

    @Option(names = "--warmups", defaultValue = "5")
    int warmups;

    @Option(names = "--site-threads", description = "Run the three Consul sites in this JVM (default: a process each).")
    boolean siteThreads;

    @Option(names = "--refill", split = ",", defaultValue = "PT0.01S",
        description = "The control plane's Consul watch rate limit refill (burst 2), ISO-8601; one run per value."
            + " Under back-to-back changes the default 15 s (PT15S) delays each change by up to 15 s.")
    List<Duration> refills;

    @Option(names = "--change-timeout", defaultValue = "PT30S")
    Duration changeTimeout;

    @Option(names = "--deadline", defaultValue = "PT14M",
        description = "A size not started by half of this (ISO-8601, from the start) is skipped and listed.")
    Duration deadline;

    @Option(names = "--out", description = "Also write the tables (markdown) to this file.")
    Path out;

    @Override
    public Integer call() throws Exception {
      Instant start = Instant.now();
      StringBuilder md = new StringBuilder();
      List<String> skipped = new ArrayList<>();
      for (int n : services) {
        for (Duration refill : refills) {
          if (Instant.now().isAfter(start.plus(deadline.dividedBy(2)))) {
            skipped.add(n + " services, refill " + refill);
            continue;
          }
          E2ePath.Options o = new E2ePath.Options(n, instances, clients, changes, warmups, !siteThreads, refill,
              changeTimeout);
          try (E2ePath path = new E2ePath(o, System.err)) {
            path.start();
            List<E2ePath.Change> measured = path.run();
            md.append(E2eReport.table(o, measured)).append("\ncontrol plane's selat_routes_propagation_seconds (every")
                .append(" group publish, warm-ups included): ").append(path.propagationMetric()).append("\n\n");
          }
        }
      }
      String load = Files.readString(Path.of("/proc/loadavg")).trim();
      String text = String.format(Locale.ROOT, "Run %s, %d s; %d cores, java %s; load average at the end: %s%n%n",
          start.truncatedTo(ChronoUnit.SECONDS), Duration.between(start, Instant.now()).toSeconds(),
          Runtime.getRuntime().availableProcessors(), Runtime.version(), load) + md
          + (skipped.isEmpty() ? "" : "Skipped to finish within " + deadline + ": " + String.join(", ", skipped) + "\n");
      System.out.println(text);
      if (out != null) {
        if (out.getParent() != null) {
          Files.createDirectories(out.getParent());
        }
        Files.writeString(out, text, StandardCharsets.UTF_8);
      }
      return 0;
    }
  }

  static List<CellResult> run(Common common, Harness harness, List<Integer> counts, int updates, int warmups,
      Duration budget) throws IOException, InterruptedException {
    List<CellResult> cells = new ArrayList<>();
    for (int n : counts) {
      for (boolean delta : common.deltas()) {
        for (BenchServer.Kind kind : common.kinds()) {
          cells.add(harness.fanout(kind, delta, n, common.streamsPerConnection, warmups, updates, budget));
        }
      }
    }
    return cells;
  }

  static List<Harness.PacedResult> paced(Common common, Harness harness, int clients, int updates, Duration interval)
      throws IOException, InterruptedException {
    List<Harness.PacedResult> runs = new ArrayList<>();
    for (boolean delta : common.deltas()) {
      for (BenchServer.Kind kind : common.kinds()) {
        runs.add(harness.paced(kind, delta, clients, common.streamsPerConnection, updates, interval));
      }
    }
    return runs;
  }

  /** The machine and the run, so a row of the history table can be compared with another. */
  static String header(Instant start, Common common) throws IOException {
    String load = Files.readString(Path.of("/proc/loadavg")).trim();
    return String.format(Locale.ROOT,
        "Run %s, %d min; %d cores, java %s; server flags -Xmx%s -XX:+UseG1GC; load average at the end: %s%n",
        start.truncatedTo(ChronoUnit.SECONDS), Duration.between(start, Instant.now()).toMinutes(),
        Runtime.getRuntime().availableProcessors(), Runtime.version(), common.serverHeap, load);
  }
}
