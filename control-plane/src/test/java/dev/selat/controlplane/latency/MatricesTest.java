package dev.selat.controlplane.latency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.selat.controlplane.config.ConfigLoader;
import dev.selat.controlplane.config.SelatConfig;
import dev.selat.controlplane.routing.LatencyCell;
import dev.selat.controlplane.routing.LatencyMatrix;
import dev.selat.controlplane.routing.LatencySource;
import dev.selat.controlplane.routing.SitePair;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The matrix from agents' estimates (staleAfter 15 s, staleBudget 2 m by default) and the links' nominal RTTs. */
class MatricesTest {
  static final SelatConfig CONFIG = ConfigLoader.load(Path.of("selat.example.yaml"), Map.of());
  static final Instant NOW = Instant.parse("2026-12-03T00:00:00Z");
  static final SitePair JKT_SG = new SitePair("jakarta", "alibaba-sg");

  static AgentEstimate est(String agent, double ms, long secondsAgo) {
    return new AgentEstimate(agent, ms(ms), NOW.minusSeconds(secondsAgo), false, false);
  }

  static Duration ms(double ms) {
    return Duration.ofNanos((long) (ms * 1_000_000));
  }

  @Test
  void freshEstimatesOfSeveralAgentsGiveTheirMedian() {
    LatencyMatrix m = Matrices.build(CONFIG, Map.of(JKT_SG, List.of(est("a", 12.4, 1), est("b", 30, 2), est("c", 12.1, 3))), NOW);

    assertThat(m.cell("jakarta", "alibaba-sg")).contains(new LatencyCell(ms(12.4), LatencySource.PROBE, Duration.ofSeconds(1)));
  }

  @Test
  void anEvenCountTakesTheMeanOfTheMiddleTwo() {
    LatencyMatrix m = Matrices.build(CONFIG, Map.of(JKT_SG, List.of(est("a", 12, 1), est("b", 14, 1))), NOW);

    assertThat(m.cell("jakarta", "alibaba-sg").orElseThrow().rtt()).isEqualTo(ms(13));
  }

  @Test
  void oldEstimatesAreProbeStaleWithinTheBudgetThenNominal() {
    LatencyMatrix stale = Matrices.build(CONFIG, Map.of(JKT_SG, List.of(est("a", 12.5, 60))), NOW);
    LatencyMatrix expired = Matrices.build(CONFIG, Map.of(JKT_SG, List.of(est("a", 12.5, 600))), NOW);

    assertThat(stale.cell("jakarta", "alibaba-sg")).contains(new LatencyCell(ms(12.5), LatencySource.PROBE_STALE, Duration.ofSeconds(60)));
    assertThat(expired.cell("jakarta", "alibaba-sg").orElseThrow().source()).isEqualTo(LatencySource.NOMINAL);
  }

  @Test
  void aFreshEstimateWinsOverAStaleOne() {
    LatencyMatrix m = Matrices.build(CONFIG, Map.of(JKT_SG, List.of(est("old", 40, 60), est("new", 12, 1))), NOW);

    assertThat(m.cell("jakarta", "alibaba-sg").orElseThrow()).isEqualTo(new LatencyCell(ms(12), LatencySource.PROBE, Duration.ofSeconds(1)));
  }

  @Test
  void lostAndSelfDeclaredStaleEstimatesAreNotFresh() {
    AgentEstimate lost = new AgentEstimate("a", ms(1), NOW, false, true);
    AgentEstimate flagged = new AgentEstimate("b", ms(12.2), NOW.minusSeconds(1), true, false);
    LatencyMatrix m = Matrices.build(CONFIG, Map.of(JKT_SG, List.of(lost, flagged)), NOW);

    assertThat(m.cell("jakarta", "alibaba-sg").orElseThrow().source()).isEqualTo(LatencySource.PROBE_STALE);
    assertThat(m.cell("jakarta", "alibaba-sg").orElseThrow().rtt()).isEqualTo(ms(12.2));
  }

  @Test
  void withoutProbesEveryPairIsNominalAlongTheLinkGraph() {
    LatencyMatrix m = Matrices.build(CONFIG, Map.of(), NOW);

    int sites = CONFIG.siteIds().size();
    assertThat(m.cells()).hasSize(sites * (sites - 1));
    assertThat(m.cells().values()).allSatisfy(c -> assertThat(c.source()).isEqualTo(LatencySource.NOMINAL));
    assertThat(m.cell("jakarta", "aws-sg").orElseThrow().rtt())
        .as("leased line + VPN").isEqualTo(CONFIG.path("jakarta", "aws-sg").nominalRtt());
  }
}
