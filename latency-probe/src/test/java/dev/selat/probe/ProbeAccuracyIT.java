package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.testkit.ToxiproxyServer;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accuracy of the RTT median through a delayed link, over real sockets: a UDP relay in the test (delay on the request
 * direction only) and a real Toxiproxy for the TCP fallback (delay on the answer direction). The injected delay is
 * what the round trip gains, so we first measure the same path with nothing injected (the baseline p50) and check
 * {@code |p50 - baseline - injected median| <= 0.5 ms} over 300 probes. The measured numbers are logged as
 * {@code ACCURACY ...} lines.
 */
class ProbeAccuracyIT {
  private static final Logger log = LoggerFactory.getLogger(ProbeAccuracyIT.class);
  private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
  private static final Duration INTERVAL = Duration.ofMillis(20);
  private static final int SAMPLES = 300;
  private static final double TOLERANCE_MS = 0.5;

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
    try (UdpDelayRelay relay = UdpDelayRelay.start(responder.udpAddress(), 7)) {
      ProbePeer peer = new ProbePeer("alibaba-sg", relay.address(), responder.tcpAddress(), "leased-line");
      double baseline = p50Millis(peer, ProbeTransport.UDP);

      for (long[] delayJitter : new long[][] {{12, 1}, {25, 3}}) {
        relay.set(new UdpDelayRelay.Link(Duration.ofMillis(delayJitter[0]), Duration.ofMillis(delayJitter[1])));
        double p50 = p50Millis(peer, ProbeTransport.UDP);

        assertWithinTolerance("udp-relay", delayJitter, baseline, p50);
      }
    }
  }

  /**
   * Two properties of Toxiproxy's latency toxic shape this test. Its jitter is drawn in whole milliseconds from
   * [latency - jitter, latency + jitter - 1], whose median falls between two values; so the answer direction
   * (downstream) gets two chained toxics, {@code latency +- jitter} and {@code 1 +- 1} (0 or 1 ms), whose sum spans
   * exactly latency +- jitter with the nominal latency as its median. And its timers fire late by a few tenths of a
   * millisecond (Go timers on Linux): chained toxics sleep until planned deadlines, so the chain is late by one
   * timer's overshoot, like a single toxic. We measure that overshoot with the same latency and no jitter (the
   * control) and compare the jittered p50 with it; the raw error against the no-toxic baseline is logged too.
   */
  @Test
  void toxiproxyTcp_injectedDelayWithJitter_p50WithinHalfMillisecond() throws IOException {
    try (ToxiproxyServer toxiproxy = ToxiproxyServer.start();
        DatagramSocket udpBlackHole = new DatagramSocket(LOOPBACK_ANY_PORT)) {
      Proxy proxy = toxiproxy.proxy("probe-tcp", "127.0.0.1:" + responder.tcpAddress().getPort());
      // UDP goes nowhere (Toxiproxy only proxies TCP), so the prober falls back to TCP through the proxy.
      ProbePeer peer = new ProbePeer("aws-sg", (InetSocketAddress) udpBlackHole.getLocalSocketAddress(),
          new InetSocketAddress("127.0.0.1", ToxiproxyServer.listenPort(proxy)), "vpn");
      double baseline = p50Millis(peer, ProbeTransport.TCP);

      for (long[] latencyJitter : new long[][] {{12, 1}, {25, 3}}) {
        toxiproxy.clearToxics(proxy);
        toxiproxy.addLatency(proxy, ToxicDirection.DOWNSTREAM, latencyJitter[0], 0);
        double control = p50Millis(peer, ProbeTransport.TCP);
        toxiproxy.clearToxics(proxy);
        toxiproxy.addLatency(proxy, ToxicDirection.DOWNSTREAM, latencyJitter[0], latencyJitter[1]);
        proxy.toxics().latency("half-ms-centering", ToxicDirection.DOWNSTREAM, 1).setJitter(1);
        double p50 = p50Millis(peer, ProbeTransport.TCP);

        log.info(String.format("ACCURACY toxiproxy-tcp injected=%dms+-%dms timer_overshoot=%+.3fms "
            + "(control p50 %.3fms, no-toxic baseline %.3fms)", latencyJitter[0], latencyJitter[1],
            control - baseline - latencyJitter[0], control, baseline));
        assertWithinTolerance("toxiproxy-tcp", latencyJitter, control - latencyJitter[0], p50);
      }
    }
  }

  private static void assertWithinTolerance(String link, long[] injected, double baseline, double p50) {
    double error = p50 - baseline - injected[0];
    log.info(String.format("ACCURACY %s injected=%dms+-%dms baseline=%.3fms p50=%.3fms error=%+.3fms",
        link, injected[0], injected[1], baseline, p50, error));
    assertThat(Math.abs(error)).as("%s %d ms: |p50 - baseline - injected|", link, injected[0])
        .isLessThanOrEqualTo(TOLERANCE_MS);
  }

  /** The p50 over {@value #SAMPLES} probes of a fresh prober (fresh estimator window). */
  private static double p50Millis(ProbePeer peer, ProbeTransport expected) throws IOException {
    ScheduledExecutorService owner =
        Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("accuracy-prober").factory());
    Prober.Settings settings = Prober.Settings.of("jakarta-probe", LOOPBACK_ANY_PORT)
        .withInterval(INTERVAL)
        .withEstimator(LinkEstimator.Settings.defaults().withWindow(Duration.ofSeconds(60)));
    try (Prober prober = Prober.start(settings, Ticker.system(), owner, new Random(11), new SimpleMeterRegistry())) {
      prober.setPeers(List.of(peer));
      await().atMost(Duration.ofSeconds(60)).until(() -> prober.estimates().join().getFirst().estimate().samples()
          >= SAMPLES);
      PeerEstimate estimate = prober.estimates().join().getFirst();
      assertThat(estimate.transport()).isEqualTo(expected);
      return estimate.estimate().p50().toNanos() / 1e6;
    } finally {
      owner.shutdownNow();
    }
  }
}
