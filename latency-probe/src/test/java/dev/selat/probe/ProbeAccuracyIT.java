package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.testkit.ToxiproxyServer;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accuracy of the RTT median through a delayed link, over real sockets: a UDP relay in the test (delay on the request
 * direction only) and a real Toxiproxy for the TCP fallback. The injected delay is what the round trip gains.
 *
 * <p>How we compare. Injectors are late themselves (a timer wakes up late, by more when the machine is loaded: it is
 * shared with other builds), so one prober probes three paths side by side, at the same moments: a baseline (nothing
 * injected), a control (the nominal delay, no jitter) and the jittered link. The control's samples are the nominal
 * delay plus everything else the round trip meets (loopback, injector lateness, scheduling); the jittered link meets
 * the same plus the injected jitter, whose distribution we know. So the expected median of the jittered link is the
 * median of the control's RTT distribution (the prober's histogram, 0.1 ms buckets) convolved with the jitter's; on
 * a quiet machine that is the nominal delay plus the control's overshoot, and on a loaded one it also moves by
 * however the starved samples pull a jittered median. The check: {@code |p50(jittered) - expected| <= 0.5 ms} over
 * 400 probes per path, with the control's overshoot over the baseline bounded to [-0.5, +5] ms so that a wrong
 * estimator cannot hide in it. The numbers are logged as {@code ACCURACY ...} lines, with the raw error against the
 * nominal delay.
 */
class ProbeAccuracyIT {
  private static final Logger log = LoggerFactory.getLogger(ProbeAccuracyIT.class);
  private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
  private static final Duration INTERVAL = Duration.ofMillis(50);
  private static final int SAMPLES = 400;
  private static final double TOLERANCE_MS = 0.5;
  private static final long[][] INJECTED = {{12, 1}, {25, 3}};

  /** Buckets every 0.1 ms up to 100 ms on the prober's RTT timers: the control's RTT distribution, finely. */
  private static final MeterFilter FINE_RTT_BUCKETS = new MeterFilter() {
    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
      double[] buckets = new double[1_000];
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = TimeUnit.MICROSECONDS.toNanos(100L * (i + 1));
      }
      return id.getName().equals("selat.probe.rtt")
          ? DistributionStatisticConfig.builder().serviceLevelObjectives(buckets).build().merge(config)
          : config;
    }
  };

  private static ProbeResponder responder;

  @BeforeAll
  static void startResponder() throws IOException {
    responder = ProbeResponder.start(ProbeResponder.Settings.of(LOOPBACK_ANY_PORT, LOOPBACK_ANY_PORT)
        .withRate(10_000, 10_000), Ticker.system(), new SimpleMeterRegistry());
  }

  @AfterAll
  static void stopResponder() throws IOException {
    responder.close();
  }

  @Test
  void udpRelay_injectedDelayWithJitter_p50WithinHalfMillisecond() throws IOException {
    for (long[] injected : INJECTED) {
      try (UdpDelayRelay relay = UdpDelayRelay.start(7)) {
        InetSocketAddress upstream = responder.udpAddress();
        UdpDelayRelay.Path baseline = relay.open(upstream, new UdpDelayRelay.Link(Duration.ZERO, Duration.ZERO));
        UdpDelayRelay.Path control = relay.open(upstream,
            new UdpDelayRelay.Link(Duration.ofMillis(injected[0]), Duration.ZERO));
        UdpDelayRelay.Path jittered = relay.open(upstream,
            new UdpDelayRelay.Link(Duration.ofMillis(injected[0]), Duration.ofMillis(injected[1])));
        SideBySide p50 = estimatesSideBySide(ProbeTransport.UDP,
            new ProbePeer("baseline", baseline.address(), responder.tcpAddress(), "loopback"),
            new ProbePeer("control", control.address(), responder.tcpAddress(), "leased-line"),
            new ProbePeer("jittered", jittered.address(), responder.tcpAddress(), "leased-line"));

        assertWithinTolerance("udp-relay", injected, p50, Jitter.uniform(injected[1]));
      }
    }
  }

  /**
   * Toxiproxy draws its jitter in whole milliseconds from [latency - jitter, latency + jitter - 1]: an even number of
   * values, whose median falls between two of them. So the jittered link gets 2 ms +- 1 (1 or 2 ms) on the request
   * direction (upstream) and {@code latency - 1 +- jitter} on the answer direction (downstream): their sum spans
   * exactly latency +- jitter, symmetric about the nominal latency, which is its median. The control gets 2 ms up and
   * {@code latency - 2} down: the same two timers on each round trip, so the same timer overshoot.
   */
  @Test
  void toxiproxyTcp_injectedDelayWithJitter_p50WithinHalfMillisecond() throws IOException {
    try (ToxiproxyServer toxiproxy = ToxiproxyServer.start()) {
      for (long[] injected : INJECTED) {
        Proxy baseline = toxiproxy.proxy("baseline-" + injected[0], upstream());
        Proxy control = toxiproxy.proxy("control-" + injected[0], upstream());
        Proxy jittered = toxiproxy.proxy("jittered-" + injected[0], upstream());
        toxiproxy.addLatency(control, ToxicDirection.UPSTREAM, 2, 0);
        toxiproxy.addLatency(control, ToxicDirection.DOWNSTREAM, injected[0] - 2, 0);
        toxiproxy.addLatency(jittered, ToxicDirection.UPSTREAM, 2, 1);
        toxiproxy.addLatency(jittered, ToxicDirection.DOWNSTREAM, injected[0] - 1, injected[1]);
        List<DatagramSocket> udpBlackHoles = new ArrayList<>();
        try {
          Function<Proxy, ProbePeer> peer = proxy -> {
            // UDP goes nowhere (Toxiproxy only proxies TCP), so the prober falls back to TCP through the proxy.
            udpBlackHoles.add(blackHole());
            return new ProbePeer(proxy.getName().replaceAll("-.*", ""),
                (InetSocketAddress) udpBlackHoles.getLast().getLocalSocketAddress(),
                new InetSocketAddress("127.0.0.1", ToxiproxyServer.listenPort(proxy)), "vpn");
          };
          SideBySide p50 = estimatesSideBySide(ProbeTransport.TCP,
              peer.apply(baseline), peer.apply(control), peer.apply(jittered));

          assertWithinTolerance("toxiproxy-tcp", injected, p50, Jitter.toxiproxy(injected[1]));
        } finally {
          udpBlackHoles.forEach(DatagramSocket::close);
        }
      }
    }
  }

  private static void assertWithinTolerance(String link, long[] injected, SideBySide run, Jitter jitter) {
    double baseline = millis(run.estimates().get("baseline").p50());
    double control = millis(run.estimates().get("control").p50());
    double jittered = millis(run.estimates().get("jittered").p50());
    double overshoot = control - baseline - injected[0];
    double expected = jitter.medianAdded(run.histograms().get("control"));
    double error = jittered - expected;
    log.info(String.format("ACCURACY %s injected=%dms+-%dms p50: baseline=%.3fms control=%.3fms jittered=%.3fms; "
        + "injector overshoot=%+.3fms; expected jittered p50=%.3fms; error=%+.3fms (vs control %+.3fms, "
        + "vs nominal %+.3fms)", link, injected[0], injected[1], baseline, control, jittered, overshoot, expected,
        error, jittered - control, jittered - baseline - injected[0]));
    assertThat(overshoot).as("%s %d ms: control - baseline - nominal", link, injected[0]).isBetween(-0.5, 5.0);
    assertThat(Math.abs(error)).as("%s %d ms: |p50(jittered) - expected|", link, injected[0])
        .isLessThanOrEqualTo(TOLERANCE_MS);
  }

  /** The estimates of a side-by-side run, and each path's RTT histogram from the prober's meters. */
  private record SideBySide(Map<String, RttEstimate> estimates, Map<String, HistogramSnapshot> histograms) {}

  /** A jitter distribution: offsets (ms) from the control's delay, with their probabilities. */
  private record Jitter(double[] offsetsMs, double[] weights) {
    /** Continuous uniform in [-j, +j] ms, in 0.1 ms steps (the UDP relay's draw). */
    static Jitter uniform(long j) {
      int steps = (int) (20 * j);
      double[] offsets = new double[steps + 1];
      double[] weights = new double[steps + 1];
      for (int i = 0; i <= steps; i++) {
        offsets[i] = -j + i * 0.1;
        weights[i] = 1.0 / (steps + 1);
      }
      return new Jitter(offsets, weights);
    }

    /**
     * Toxiproxy's draws against the control (2 ms up, latency - 2 down): upstream 2 +- 1 is 1 or 2 ms (-1 or 0),
     * downstream latency - 1 +- j is one of latency - 1 - j .. latency - 2 + j (1 - j .. j); their sum.
     */
    static Jitter toxiproxy(long j) {
      double[] weights = new double[(int) (2 * j + 1)];
      for (int up = -1; up <= 0; up++) {
        for (long down = 1 - j; down <= j; down++) {
          weights[(int) (up + down + j)] += 1.0 / (2 * 2 * j);
        }
      }
      double[] offsets = new double[weights.length];
      for (int i = 0; i < offsets.length; i++) {
        offsets[i] = i - j;
      }
      return new Jitter(offsets, weights);
    }

    /** The median of the control's RTTs plus this jitter, drawn independently. */
    double medianAdded(HistogramSnapshot control) {
      CountAtBucket[] buckets = control.histogramCounts();
      List<double[]> masses = new ArrayList<>();
      double previous = 0;
      for (CountAtBucket bucket : buckets) {
        double mass = (bucket.count() - previous) / control.count();
        previous = bucket.count();
        double center = bucket.bucket(TimeUnit.MILLISECONDS) - 0.05;
        for (int k = 0; k < offsetsMs.length; k++) {
          if (mass > 0) {
            masses.add(new double[] {center + offsetsMs[k], mass * weights[k]});
          }
        }
      }
      // Samples above the last bucket (100 ms) are far above any median here; they only count in the total.
      masses.sort((a, b) -> Double.compare(a[0], b[0]));
      double cumulative = 0;
      for (double[] m : masses) {
        cumulative += m[1];
        if (cumulative >= 0.5) {
          return m[0];
        }
      }
      throw new IllegalStateException("more than half of the control's samples above 100 ms");
    }
  }

  /** One prober probing the peers side by side until each has {@value #SAMPLES} samples; estimates by site. */
  private static SideBySide estimatesSideBySide(ProbeTransport expected, ProbePeer... peers) throws IOException {
    ScheduledExecutorService owner =
        Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("accuracy-prober").factory());
    Prober.Settings settings = Prober.Settings.of("jakarta-probe", LOOPBACK_ANY_PORT)
        .withInterval(INTERVAL)
        .withEstimator(LinkEstimator.Settings.defaults().withWindow(Duration.ofSeconds(60)));
    MeterRegistry meters = new SimpleMeterRegistry();
    meters.config().meterFilter(FINE_RTT_BUCKETS);
    try (Prober prober = Prober.start(settings, Ticker.system(), owner, new Random(11), meters)) {
      prober.setPeers(List.of(peers));
      await().atMost(Duration.ofSeconds(120)).until(() -> prober.estimates().join().stream()
          .allMatch(e -> e.estimate().samples() >= SAMPLES));
      List<PeerEstimate> estimates = prober.estimates().join();
      assertThat(estimates).extracting(PeerEstimate::transport).containsOnly(expected);
      return new SideBySide(
          estimates.stream().collect(Collectors.toMap(e -> e.peer().siteId(), PeerEstimate::estimate)),
          estimates.stream().collect(Collectors.toMap(e -> e.peer().siteId(), e -> meters.get("selat.probe.rtt")
              .tag("peer_site", e.peer().siteId()).timer().takeSnapshot())));
    } finally {
      owner.shutdownNow();
    }
  }

  private static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }

  private static String upstream() {
    return "127.0.0.1:" + responder.tcpAddress().getPort();
  }

  private static DatagramSocket blackHole() {
    try {
      return new DatagramSocket(LOOPBACK_ANY_PORT);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
