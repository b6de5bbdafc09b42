package dev.selat.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the harness end to end, small (N = 10, 50 clusters per group), against all three servers in
 * their own JVMs, so it cannot rot. It checks what the harness and the servers do, never how fast.
 */
class HarnessSmokeTest {
  private static final int CLIENTS = 10;
  private static final int CLUSTERS = 50;
  private static final int UPDATES = 3;
  private static final List<CellResult> cells = new ArrayList<>();
  private static Harness harness;

  @BeforeAll
  static void runEveryServerAndProtocol() throws Exception {
    harness = new Harness(CLUSTERS, List.of("-Xmx256m", "-XX:+UseSerialGC"), Path.of("target", "smoke-logs"),
        Duration.ofSeconds(60), Duration.ofSeconds(30), new PrintStream(OutputStream.nullOutputStream()), null);
    for (boolean delta : List.of(false, true)) {
      for (BenchServer.Kind kind : BenchServer.Kind.values()) {
        cells.add(harness.fanout(kind, delta, CLIENTS, 2, 1, UPDATES, Duration.ofMinutes(1)));
      }
    }
  }

  @Test
  void fanout_everyServerAndProtocol_everyUpdateReachesEveryClient() {
    assertThat(cells).hasSize(6);
    for (CellResult cell : cells) {
      assertThat(cell.failure()).as("%s %s", cell.server(), cell.protocol()).isNull();
      assertThat(cell.timeouts()).as("%s %s", cell.server(), cell.protocol()).isZero();
      assertThat(cell.fanoutNanos()).as("%s %s", cell.server(), cell.protocol()).hasSize(UPDATES);
      assertThat(cell.stormNanos()).isPositive();
      assertThat(cell.bytesPerStream()).allSatisfy(b -> assertThat(b).isPositive());
    }
  }

  @Test
  void fanout_oneClusterUpdate_selatSendsOnlyTheChangedAssignmentWhereJcpSotwSendsAll() {
    long selat = cell(BenchServer.Kind.SELAT, "sotw").bytesP50();
    long floor = cell(BenchServer.Kind.FLOOR, "sotw").bytesP50();
    long jcp = cell(BenchServer.Kind.JCP, "sotw").bytesP50();
    // The floor sends exactly the one changed ClusterLoadAssignment; Selat's response differs only in
    // its version and nonce strings, java-control-plane's carries every assignment of the group.
    assertThat(selat).isBetween(floor, floor + 64);
    assertThat(jcp).isGreaterThan(floor * CLUSTERS / 2);
  }

  @Test
  void report_cells_tabulatesEveryServerWithRatios() {
    String figures = Report.figures(cells);
    String ratios = Report.ratios(cells);
    for (BenchServer.Kind kind : BenchServer.Kind.values()) {
      assertThat(figures).contains("| " + kind.id() + " |");
    }
    assertThat(ratios).contains("| 10 | sotw | fan-out p50 |").contains("| 10 | delta | bytes/stream/update |");
  }

  @Test
  void paced_updatesFasterThanAcks_lastUpdateReachesEveryClient() throws Exception {
    for (BenchServer.Kind kind : BenchServer.Kind.values()) {
      Harness.PacedResult run = harness.paced(kind, false, CLIENTS, 1, 5, Duration.ofMillis(20));
      assertThat(run.failure()).as("%s", kind).isNull();
      assertThat(run.reachedLast()).as("%s", kind).isEqualTo(CLIENTS);
    }
  }

  private static CellResult cell(BenchServer.Kind kind, String protocol) {
    return cells.stream().filter(c -> c.server() == kind && c.protocol().equals(protocol)).findFirst().orElseThrow();
  }
}
