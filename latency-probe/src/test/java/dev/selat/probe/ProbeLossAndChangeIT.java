package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loss measurement and change detection in real time, through the UDP delay relay. */
class ProbeLossAndChangeIT {
  private static final Logger log = LoggerFactory.getLogger(ProbeLossAndChangeIT.class);
  private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
  private static final int PROBES = 1_000;

  private final ScheduledExecutorService owner =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("loss-change-prober").factory());
  private ProbeResponder responder;
  private UdpDelayRelay relay;
  private UdpDelayRelay.Path path;
  private ProbePeer peer;

  @BeforeEach
  void setUp() throws IOException {
    responder = ProbeResponder.start(ProbeResponder.Settings.of(LOOPBACK_ANY_PORT, LOOPBACK_ANY_PORT)
        .withRate(10_000, 10_000), Ticker.system(), new SimpleMeterRegistry());
    relay = UdpDelayRelay.start(20261126L);
    path = relay.open(responder.udpAddress(), new UdpDelayRelay.Link(Duration.ZERO, Duration.ZERO));
    peer = new ProbePeer("aws-sg", path.address(), responder.tcpAddress(), "leased-line+vpn");
  }

  @AfterEach
  void tearDown() throws IOException {
    owner.shutdownNow();
    relay.close();
    responder.close();
  }

  /**
   * The relay drops 10% of the first 1,000 probes (seeded RNG) and counts what it dropped: the truth. We read once
   * every one of those 1,000 is resolved (answered, or lost after the 2 s loss window: 250 probes later at one per
   * 10 ms), and compare the estimator's lost count over them with the relay's.
   */
  @Test
  void prober_tenPercentInjectedLoss_measuredWithinOnePointOverThousandProbes() throws IOException {
    path.set(new UdpDelayRelay.Link(Duration.ofMillis(2), Duration.ZERO, 0.10, PROBES));
    Prober.Settings settings = Prober.Settings.of("jakarta-probe", LOOPBACK_ANY_PORT)
        .withInterval(Duration.ofMillis(10))
        .withEstimator(LinkEstimator.Settings.defaults().withWindow(Duration.ofSeconds(120)));
    try (Prober prober = Prober.start(settings, Ticker.system(), owner, new Random(3), new SimpleMeterRegistry())) {
      prober.setPeers(List.of(peer));

      await().atMost(Duration.ofSeconds(120)).until(() -> {
        RttEstimate e = estimate(prober);
        return e.samples() + e.lost() >= PROBES + 250;
      });
      RttEstimate estimate = estimate(prober);
      double truth = (double) path.dropped() / PROBES;
      double measured = (double) estimate.lost() / PROBES;

      log.info(String.format("LOSS injected=10%% relay_truth=%.2f%% measured=%.2f%% over %d probes error=%+.2f points",
          100 * truth, 100 * measured, PROBES, 100 * (measured - truth)));
      assertThat(Math.abs(measured - truth)).isLessThanOrEqualTo(0.01);
      assertThat(estimate.lossRatio()).isEqualTo((double) estimate.lost() / (estimate.samples() + estimate.lost()));
    }
  }

  /**
   * 20 s of 20 ms +-2 ms at the default 500 ms interval give no change signal (the 60 s version runs in simulated
   * time in {@link LinkEstimatorTest}); then a sustained +10 ms step is reported within 3 s.
   */
  @Test
  void prober_jitterThenTenMillisecondStep_noChangeOnJitterAndStepWithinThreeSeconds() throws IOException {
    path.set(new UdpDelayRelay.Link(Duration.ofMillis(20), Duration.ofMillis(2)));
    Prober.Settings settings = Prober.Settings.of("jakarta-probe", LOOPBACK_ANY_PORT);
    try (Prober prober = Prober.start(settings, Ticker.system(), owner, new Random(5), new SimpleMeterRegistry())) {
      prober.setPeers(List.of(peer));

      long jitterUntil = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
        RttEstimate now = estimate(prober);
        assertThat(now.changeGeneration()).as("changes seen on jitter alone; estimate now %s", now).isZero();
        return System.nanoTime() >= jitterUntil;
      });
      assertThat(estimate(prober).samples()).isGreaterThanOrEqualTo(30);

      long stepAt = System.nanoTime();
      path.set(new UdpDelayRelay.Link(Duration.ofMillis(30), Duration.ofMillis(2)));
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
        RttEstimate now = estimate(prober);
        assertThat(now.changeGeneration()).as("changes seen; estimate now %s", now).isPositive();
      });
      Duration detectedAfter = Duration.ofNanos(System.nanoTime() - stepAt);

      log.info("STEP +10 ms detected after {} ms; smoothed rtt now {}", detectedAfter.toMillis(),
          estimate(prober).smoothed());
      assertThat(detectedAfter).isLessThanOrEqualTo(Duration.ofSeconds(3));
    }
  }

  private static RttEstimate estimate(Prober prober) {
    return prober.estimates().join().getFirst().estimate();
  }
}
