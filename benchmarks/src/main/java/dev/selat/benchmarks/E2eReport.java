package dev.selat.benchmarks;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/** The whole path's table: each part's p50 / p99 / max over the measured changes, the floor, and the slowest part. */
final class E2eReport {
  private E2eReport() {}

  /** A row: its name, what it spans, and whether it is one of the consecutive parts (not a total or the floor). */
  record Part(String name, String spans, boolean part, ToLongFunction<E2ePath.Change> value) {}

  static final List<Part> PARTS = List.of(
      new Part("write", "the check update's PUT, until Consul answered it", false, E2ePath.Change::write),
      new Part("floor", "a bare blocking query on /v1/health/service/:s woke (answer read)", false,
          E2ePath.Change::floor),
      new Part("blocking-query wake", "a bare blocking query on /v1/health/state/any (consul-bridge's) woke", true,
          E2ePath.Change::wake),
      new Part("bridge fetch", "-> consul-bridge handed over a catalog naming the service", true, E2ePath.Change::bridge),
      new Part("to engine", "-> the route engine took it (its scheduler)", true, E2ePath.Change::toEngine),
      new Part("debounce", "-> the rebuild started", true, E2ePath.Change::debounce),
      new Part("brain rebuild", "-> the service's routes for the 3 client sites recomputed", true,
          E2ePath.Change::rebuild),
      new Part("publish", "-> every group's snapshot built and handed to the xDS server", true,
          E2ePath.Change::publish),
      new Part("fan-out (first)", "from the first group's snapshot handed over: the first simulated client had it and sent its ACK", false,
          E2ePath.Change::fanoutFirst),
      new Part("fan-out + ACK", "-> the last simulated client had it and sent its ACK (0 when it had before the last group was handed over)", true,
          E2ePath.Change::fanoutLast),
      new Part("write -> clients", "every simulated client ACKed", false, E2ePath.Change::clients),
      new Part("write -> Envoy", "the real Envoy's admin API counts the host's new health", false,
          E2ePath.Change::envoy),
      new Part("write -> all", "both", false, E2ePath.Change::total));

  static String table(E2ePath.Options o, List<E2ePath.Change> changes) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "%d services x %d instances x 3 sites, %d simulated ADS clients (SotW) + 1 Envoy, %d changes measured"
            + " (after %d warm-ups), sites as %s, Consul watch rate limit burst 2 refill %d ms%n%n",
        o.services(), o.instances(), o.clients(), changes.size(), o.warmups(),
        o.siteProcesses() ? "processes" : "threads of this JVM", o.refill().toMillis()))
        .append("| part | p50 | p99 | max | spans (from the previous part, or from the write) |\n")
        .append("|---|---|---|---|---|\n");
    for (Part p : PARTS) {
      List<Long> values = values(changes, p.value());
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", p.name(),
          Report.millis(CellResult.percentile(values, 50)), Report.millis(CellResult.percentile(values, 99)),
          Report.millis(CellResult.percentile(values, 100)), p.spans()));
    }
    sb.append('\n').append(summary(changes));
    long failed = changes.stream().filter(c -> c.failure() != null).count();
    if (failed > 0) {
      sb.append(String.format(Locale.ROOT, "%n%d of %d changes incomplete, the first: %s%n", failed, changes.size(),
          changes.stream().filter(c -> c.failure() != null).findFirst().orElseThrow().failure()));
    }
    return sb.toString();
  }

  /** The slowest part by p50 and by p99, and the whole path against the floor. */
  static String summary(List<E2ePath.Change> changes) {
    Part byP50 = slowest(changes, 50);
    Part byP99 = slowest(changes, 99);
    List<Long> all = values(changes, E2ePath.Change::total);
    List<Long> floor = values(changes, E2ePath.Change::floor);
    return String.format(Locale.ROOT, "slowest part: %s by p50 (%s), %s by p99 (%s); write -> all / floor: p50 %s, p99 %s%n",
        byP50.name(), Report.millis(CellResult.percentile(values(changes, byP50.value()), 50)), byP99.name(),
        Report.millis(CellResult.percentile(values(changes, byP99.value()), 99)),
        ratio(CellResult.percentile(all, 50), CellResult.percentile(floor, 50)),
        ratio(CellResult.percentile(all, 99), CellResult.percentile(floor, 99)));
  }

  private static Part slowest(List<E2ePath.Change> changes, double p) {
    return PARTS.stream().filter(Part::part)
        .max(Comparator.comparingLong(part -> CellResult.percentile(values(changes, part.value()), p))).orElseThrow();
  }

  private static List<Long> values(List<E2ePath.Change> changes, ToLongFunction<E2ePath.Change> value) {
    return changes.stream().mapToLong(value).filter(v -> v >= 0).boxed().toList();
  }

  private static String ratio(long a, long b) {
    return a < 0 || b <= 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", (double) a / b);
  }
}
