package dev.selat.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code e2e-table}'s run, small (20 services x 2 instances per site, 3 simulated clients, a real Envoy, 5 changes,
 * the sites in this JVM), so that it cannot rot. It checks that every change went the whole way and that the table's
 * rows are well formed, never how fast.
 */
class E2eSmokeIT {
  @Test
  void e2e_smallMesh_everyChangeReachesEveryProxy_wellFormedRows() throws Exception {
    E2ePath.Options o = new E2ePath.Options(20, 2, 3, 5, 1, false, Duration.ofMillis(10), Duration.ofSeconds(30));
    List<E2ePath.Change> changes;
    try (E2ePath path = new E2ePath(o, new PrintStream(OutputStream.nullOutputStream()))) {
      path.start();
      changes = path.run();
      assertThat(path.propagationMetric()).contains("count");
    }

    assertThat(changes).hasSize(5).allSatisfy(c -> {
      assertThat(c.failure()).as("change %d", c.k()).isNull();
      assertThat(c.publishes()).as("groups published for change %d", c.k()).isEqualTo(4);
      for (E2eReport.Part p : E2eReport.PARTS) {
        assertThat(p.value().applyAsLong(c)).as("%s of change %d", p.name(), c.k()).isGreaterThanOrEqualTo(0);
      }
    });
    String table = E2eReport.table(o, changes);
    List<String> rows = table.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| part")).toList();
    assertThat(rows).hasSize(E2eReport.PARTS.size()).allSatisfy(row ->
        assertThat(row).matches("\\| [^|]+ \\| \\d+\\.\\d ms \\| \\d+\\.\\d ms \\| \\d+\\.\\d ms \\| [^|]+ \\|"));
    assertThat(table).containsPattern("slowest part: [a-z +-]+ by p50");
  }
}
