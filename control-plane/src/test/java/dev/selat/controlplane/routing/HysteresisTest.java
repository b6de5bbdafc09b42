package dev.selat.controlplane.routing;

import static dev.selat.controlplane.routing.Fixtures.SETTINGS;
import static dev.selat.controlplane.routing.Fixtures.T0;
import static dev.selat.controlplane.routing.Fixtures.layout;
import static dev.selat.controlplane.routing.Fixtures.matrix;
import static dev.selat.controlplane.routing.Fixtures.sites;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hysteresis on a fake clock (threshold 5 ms, dwell 30 s, settle 2 min): sequences of (seconds since start, measured
 * RTT of the VPN) and the RTT routing holds after each step.
 */
class HysteresisTest {
  record Step(long atSeconds, double rttMs, double heldMs) {}

  record Sequence(String name, List<Step> steps) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Step at(long s, double rtt, double held) {
    return new Step(s, rtt, held);
  }

  static Stream<Sequence> sequences() {
    return Stream.of(
        new Sequence("the first measurement is adopted at once", List.of(at(0, 3, 3))),
        new Sequence("a move within the threshold is ignored", List.of(at(0, 3, 3), at(1, 8, 3), at(60, 8, 3))),
        new Sequence("a step beyond the threshold waits for the dwell",
            List.of(at(0, 3, 3), at(1, 30, 3), at(30, 30, 3), at(31, 30, 30))),
        new Sequence("a spike shorter than the dwell changes nothing",
            List.of(at(0, 3, 3), at(1, 30, 3), at(20, 30, 3), at(21, 3, 3), at(40, 30, 3), at(69, 30, 3), at(70, 30, 30))),
        new Sequence("the dwell counts from the first divergent sample, whatever its value",
            List.of(at(0, 3, 3), at(1, 30, 3), at(10, 40, 3), at(31, 35, 35))),
        new Sequence("downward steps wait too", List.of(at(0, 30, 30), at(1, 3, 30), at(31, 3, 3))),
        new Sequence("the new value becomes the reference",
            List.of(at(0, 3, 3), at(1, 30, 3), at(31, 30, 30), at(32, 27, 30), at(100, 27, 30))),
        new Sequence("a move past half the threshold that lasts is adopted after the settle time",
            List.of(at(0, 8, 8), at(1, 3, 8), at(120, 3, 8), at(121, 3, 3))),
        new Sequence("half the threshold or less is never adopted",
            List.of(at(0, 3, 3), at(1, 5.5, 3), at(1000, 5.5, 3))),
        new Sequence("the settle time starts again when the move changes side",
            List.of(at(0, 8, 8), at(1, 3, 8), at(100, 3, 8), at(101, 13, 8), at(220, 13, 8), at(221, 13, 13))),
        new Sequence("or falls back within half the threshold",
            List.of(at(0, 8, 8), at(1, 3, 8), at(100, 7, 8), at(101, 3, 8), at(220, 3, 8), at(221, 3, 3))),
        new Sequence("a change caught mid-way settles on its final value",
            List.of(at(0, 42, 42), at(1, 20, 42), at(31, 16, 16), at(32, 12, 16), at(151, 12, 16), at(152, 12, 12))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sequences")
  void holds(Sequence sequence) {
    HeldLatency held = HeldLatency.EMPTY;
    for (Step step : sequence.steps()) {
      held = held.step(vpn(step.rttMs()), T0.plusSeconds(step.atSeconds()), SETTINGS);
      assertThat(held.held("alibaba-sg", "aws-sg").orElseThrow().rtt())
          .as("held at t=%ds", step.atSeconds()).isEqualTo(ms(step.heldMs()));
    }
  }

  /** The must-show: +-2 ms of jitter on the VPN for 60 s never changes alibaba-sg's route. */
  @Test
  void jitterNeverReorders() {
    Map<String, SiteInput> sites = sites("jakarta=PP alibaba-sg=CC aws-sg=PP");
    Random random = new Random(42);
    HeldLatency held = HeldLatency.EMPTY.step(matrix(Fixtures.THREE_SITES), T0, SETTINGS);
    ServiceRoute first = Brain.route("catalog", "alibaba-sg", sites, held, SETTINGS);
    List<ServiceRoute> routes = new ArrayList<>();
    for (int ms = 0; ms <= 60_000; ms += 500) {
      double vpn = 3 + (random.nextDouble() * 4 - 2);
      LatencyMatrix m = matrix("jakarta-alibaba-sg=12 alibaba-sg-aws-sg=" + vpn + " jakarta-aws-sg=" + (12 + vpn));
      HeldLatency next = held.step(m, T0.plusMillis(ms), SETTINGS);
      assertThat(next.sameRouting(held)).isTrue();
      held = next;
      routes.add(Brain.route("catalog", "alibaba-sg", sites, held, SETTINGS));
    }
    assertThat(routes).allSatisfy(r -> {
      assertThat(r.priorities()).isEqualTo(first.priorities());
      assertThat(r.shares()).isEqualTo(first.shares());
    });
    assertThat(layout(first)).isEqualTo("alibaba-sg@0 aws-sg@1 jakarta@2");
  }

  /** A +27 ms step on the VPN held past the dwell reorders alibaba-sg's failover to jakarta, and not before. */
  @Test
  void aSustainedStepReordersAfterTheDwell() {
    Map<String, SiteInput> sites = sites("jakarta=PP alibaba-sg=CC aws-sg=PP");
    HeldLatency held = Fixtures.held(matrix(Fixtures.THREE_SITES));
    LatencyMatrix slowVpn = matrix("jakarta-alibaba-sg=12 alibaba-sg-aws-sg=30 jakarta-aws-sg=42");
    Instant t = T0;
    for (int s = 1; s < 30; s++) {
      held = held.step(slowVpn, t.plusSeconds(s), SETTINGS);
    }
    assertThat(Fixtures.shares(Brain.route("catalog", "alibaba-sg", sites, held, SETTINGS))).isEqualTo("aws-sg=1000");
    held = held.step(slowVpn, t.plusSeconds(31), SETTINGS);
    ServiceRoute after = Brain.route("catalog", "alibaba-sg", sites, held, SETTINGS);
    assertThat(layout(after)).isEqualTo("alibaba-sg@0 jakarta@1 aws-sg@2");
    assertThat(Fixtures.shares(after)).isEqualTo("jakarta=1000");
  }

  private static LatencyMatrix vpn(double ms) {
    return matrix("alibaba-sg-aws-sg=" + ms);
  }

  private static Duration ms(double ms) {
    return Duration.ofNanos((long) (ms * 1_000_000));
  }
}
