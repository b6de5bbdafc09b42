package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EstimateGaugesTest {
  private static final ProbePeer PEER =
      new ProbePeer("alibaba-sg", new InetSocketAddress("127.0.0.1", 1), new InetSocketAddress("127.0.0.1", 1),
          "leased-line");

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final EstimateGauges gauges = new EstimateGauges(registry);

  @Test
  void update_newEstimate_gaugesShowIt() {
    gauges.update(List.of(new PeerEstimate(PEER, ProbeTransport.UDP, estimate(12, 0.25, true))));

    assertThat(registry.get("selat.probe.rtt.smoothed").tag("peer_site", "alibaba-sg").timeGauge()
        .value(TimeUnit.MILLISECONDS)).isEqualTo(12);
    assertThat(registry.get("selat.probe.loss.ratio").gauge().value()).isEqualTo(0.25);
    assertThat(registry.get("selat.probe.stale").gauge().value()).isEqualTo(1);
  }

  @Test
  void update_peerGone_removesItsGauges() {
    gauges.update(List.of(new PeerEstimate(PEER, ProbeTransport.UDP, estimate(12, 0, false))));

    gauges.update(List.of());

    assertThat(registry.find("selat.probe.stale").gauges()).isEmpty();
    assertThat(registry.getMeters()).isEmpty();
  }

  /** Two agents of one site, over the same path: each keeps its own gauges, and one going away leaves the other's. */
  @Test
  void update_twoAgentsOfOneSite_eachHasItsGauges() {
    ProbePeer second = new ProbePeer("alibaba-sg", new InetSocketAddress("127.0.0.2", 1),
        new InetSocketAddress("127.0.0.2", 1), "leased-line");
    gauges.update(List.of(new PeerEstimate(PEER, ProbeTransport.UDP, estimate(12, 0, false)),
        new PeerEstimate(second, ProbeTransport.UDP, estimate(30, 0, false))));
    assertThat(registry.find("selat.probe.rtt.smoothed").timeGauges()).extracting(g -> g.value(TimeUnit.MILLISECONDS))
        .containsExactlyInAnyOrder(12.0, 30.0);

    gauges.update(List.of(new PeerEstimate(second, ProbeTransport.UDP, estimate(31, 0, false))));

    assertThat(registry.find("selat.probe.rtt.smoothed").timeGauges()).extracting(g -> g.value(TimeUnit.MILLISECONDS))
        .containsExactly(31.0);
  }

  private static RttEstimate estimate(long millis, double loss, boolean stale) {
    Duration rtt = Duration.ofMillis(millis);
    return new RttEstimate(rtt, rtt, rtt, rtt, Duration.ZERO, loss, 10, 3, stale, 0, Optional.empty());
  }
}
