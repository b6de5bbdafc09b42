package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Sequence, loss, late and transport bookkeeping of one peer, driven by a fake ticker. */
class PeerProbeTest {
  private static final long LOSS_WINDOW = Duration.ofSeconds(2).toNanos();
  private static final long RTT = Duration.ofMillis(12).toNanos();
  private static final int MISSES_BEFORE_TCP = 3;

  private final FakeTicker ticker = new FakeTicker();
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final PeerProbe probe = new PeerProbe(
      new ProbePeer("aws-sg", new InetSocketAddress("127.0.0.1", 1), new InetSocketAddress("127.0.0.1", 2), "vpn"),
      new LinkEstimator(LinkEstimator.Settings.defaults(), ticker), Duration.ofNanos(LOSS_WINDOW), MISSES_BEFORE_TCP,
      registry);

  @Test
  void answer_inFlightProbe_isSample() {
    long sentAt = ticker.nanos();
    long sequence = probe.send(sentAt, ProbeTransport.UDP);

    assertThat(probe.answer(sequence, sentAt, ticker.nanos(), RTT, ProbeTransport.UDP))
        .isEqualTo(PeerProbe.Answer.SAMPLE);
    assertThat(probe.estimator.estimate().samples()).isEqualTo(1);
  }

  @Test
  void answer_afterLossWindow_isLateAndStaysLost() {
    long sentAt = ticker.nanos();
    long sequence = probe.send(sentAt, ProbeTransport.UDP);
    ticker.advance(Duration.ofNanos(LOSS_WINDOW));
    probe.expire(ticker.nanos());

    assertThat(probe.answer(sequence, sentAt, ticker.nanos(), LOSS_WINDOW, ProbeTransport.UDP))
        .isEqualTo(PeerProbe.Answer.LATE);
    assertThat(probe.estimator.estimate().lossRatio()).isEqualTo(1.0);
    assertThat(probe.estimator.estimate().samples()).isZero();
    assertThat(counter("late")).isEqualTo(1);
  }

  /** The tick that expires probes runs once per interval; an answer in between must not become a sample. */
  @Test
  void answer_afterLossWindowBeforeAnyExpiry_isLateAndLost() {
    long sentAt = ticker.nanos();
    long sequence = probe.send(sentAt, ProbeTransport.UDP);
    ticker.advance(Duration.ofNanos(LOSS_WINDOW).plusMillis(100));

    assertThat(probe.answer(sequence, sentAt, ticker.nanos(), LOSS_WINDOW + RTT, ProbeTransport.UDP))
        .isEqualTo(PeerProbe.Answer.LATE);
    assertThat(probe.estimator.estimate().samples()).isZero();
    assertThat(probe.estimator.estimate().lost()).isEqualTo(1);
  }

  @Test
  void answer_duplicate_isUnexpected() {
    long sentAt = ticker.nanos();
    long sequence = probe.send(sentAt, ProbeTransport.UDP);
    probe.answer(sequence, sentAt, ticker.nanos(), RTT, ProbeTransport.UDP);

    assertThat(probe.answer(sequence, sentAt, ticker.nanos(), RTT, ProbeTransport.UDP))
        .isEqualTo(PeerProbe.Answer.UNEXPECTED);
  }

  @Test
  void answer_wrongEchoedTimestamp_isUnexpectedAndProbeStaysInFlight() {
    long sentAt = ticker.nanos();
    long sequence = probe.send(sentAt, ProbeTransport.UDP);

    assertThat(probe.answer(sequence, sentAt + 1, ticker.nanos(), RTT, ProbeTransport.UDP))
        .isEqualTo(PeerProbe.Answer.UNEXPECTED);
    assertThat(probe.answer(sequence, sentAt, ticker.nanos(), RTT, ProbeTransport.UDP))
        .isEqualTo(PeerProbe.Answer.SAMPLE);
  }

  @Test
  void expire_consecutiveUdpLosses_switchToTcpAndLaterUdpLossesDoNotCount() {
    loseUdpProbes(MISSES_BEFORE_TCP);
    assertThat(probe.transport()).isEqualTo(ProbeTransport.TCP);

    loseUdpProbes(5);
    long sentAt = ticker.nanos();
    long tcp = probe.send(sentAt, ProbeTransport.TCP);
    probe.answer(tcp, sentAt, ticker.nanos(), RTT, ProbeTransport.TCP);

    RttEstimate estimate = probe.estimator.estimate();
    assertThat(estimate.samples()).isEqualTo(1);
    assertThat(estimate.lossRatio()).isCloseTo(3.0 / 4, within(1e-9));
  }

  @Test
  void answer_udpWhileOnTcp_switchesBackToUdp() {
    loseUdpProbes(MISSES_BEFORE_TCP);
    long sentAt = ticker.nanos();
    long sequence = probe.send(sentAt, ProbeTransport.UDP);

    probe.answer(sequence, sentAt, ticker.nanos(), RTT, ProbeTransport.UDP);

    assertThat(probe.transport()).isEqualTo(ProbeTransport.UDP);
  }

  @Test
  void tcpFailed_onTcp_countsLossAtOnce() {
    loseUdpProbes(MISSES_BEFORE_TCP);
    long before = (long) counter("lost");

    probe.tcpFailed(probe.send(ticker.nanos(), ProbeTransport.TCP));

    assertThat(counter("lost")).isEqualTo(before + 1);
  }

  private void loseUdpProbes(int count) {
    for (int i = 0; i < count; i++) {
      probe.send(ticker.nanos(), ProbeTransport.UDP);
      ticker.advance(Duration.ofNanos(LOSS_WINDOW));
      probe.expire(ticker.nanos());
    }
  }

  private double counter(String outcome) {
    return registry.get("selat.probe.probes").tag("outcome", outcome).counter().count();
  }
}
