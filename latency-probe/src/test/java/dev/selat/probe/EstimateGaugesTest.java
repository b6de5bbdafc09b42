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

  private static RttEstimate estimate(long millis, double loss, boolean stale) {
    Duration rtt = Duration.ofMillis(millis);
    return new RttEstimate(rtt, rtt, rtt, rtt, Duration.ZERO, loss, 10, 3, stale, 0, Optional.empty());
  }
}
