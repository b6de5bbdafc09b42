package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.testkit.ToxiproxyServer;
import dev.selat.testkit.UdpDelayRelay;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
 * direction only) and a real Toxiproxy for the TCP fallback, each with the nominal delay +- uniform jitter.
 *
 * <p>What the estimate is compared with. Injectors are late themselves (a timer wakes up late, by more when the machine
 * is loaded: it is shared with other builds), so the nominal delay is not what a link really adds; and nothing the
 * prober itself measured (a control path, a baseline) may serve as the reference, since a bias of the prober would
 * then sit on both sides of the comparison and cancel. The truth is measured outside the prober, with the test's own
 * clock: for UDP, by the relay, for the very probes the prober sent (the round trip from the request reaching the relay
 * to the answer leaving it, matched by sequence number: paired, so the link's jitter cancels); for Toxiproxy, which
 * cannot be looked into, by a reference client in the test that makes the same TCP exchange through the same proxy at
 * the same pace while the prober runs. Checks: the truth shows the injected delay (its median within [-0.5, +5] ms of
 * the nominal: the injector worked), and {@code |p50 - median(truth)| <= 0.5 ms} over 400 probes (800 through
 * Toxiproxy, where the truth is an independent sample of the link and the medians sit in a 1 ms wide step). The numbers are
 * logged as {@code ACCURACY ...} lines, with the raw error against the nominal delay over a baseline path.
 */
class ProbeAccuracyIT {
  private static final Logger log = LoggerFactory.getLogger(ProbeAccuracyIT.class);
  private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
  private static final Duration INTERVAL = Duration.ofMillis(50);
  /** Probes per path: UDP compares paired round trips; TCP two independent samples, so it needs more of them. */
  private static final int UDP_SAMPLES = 400;
  private static final int TCP_SAMPLES = 800;
  private static final double TOLERANCE_MS = 0.5;
  private static final long[][] INJECTED = {{12, 1}, {25, 3}};

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
  void udpRelay_injectedDelayWithJitter_p50WithinHalfMillisecondOfTheRelaysRoundTrips() throws IOException {
    for (long[] injected : INJECTED) {
      try (UdpDelayRelay relay = UdpDelayRelay.start(7)) {
        InetSocketAddress upstream = responder.udpAddress();
        UdpDelayRelay.Path baseline = relay.open(upstream, new UdpDelayRelay.Link(Duration.ZERO, Duration.ZERO));
        UdpDelayRelay.Path jittered = relay.open(upstream,
            new UdpDelayRelay.Link(Duration.ofMillis(injected[0]), Duration.ofMillis(injected[1])));
        Map<String, RttEstimate> p50 = estimatesSideBySide(ProbeTransport.UDP, UDP_SAMPLES, () -> { },
            new ProbePeer("baseline", baseline.address(), responder.tcpAddress(), "loopback"),
            new ProbePeer("jittered", jittered.address(), responder.tcpAddress(), "leased-line"));

        // The relay's round trips of the same probes the estimate counted (it may have seen one or two more since).
        List<Duration> truth = jittered.roundTrips().subList(0, (int) p50.get("jittered").samples());
        log.info(String.format("ACCURACY udp-relay injected=%dms+-%dms: relay held the requests median %.3fms",
            injected[0], injected[1], median(jittered.held())));
        assertAccurate("udp-relay", injected, p50, truth, UDP_SAMPLES);
      }
    }
  }

  /**
   * Toxiproxy draws its jitter in whole milliseconds from [latency - jitter, latency + jitter - 1]: an even number of
   * values, whose median falls between two of them, so two honest medians could differ by 1 ms. The jittered link
   * therefore gets 2 ms +- 1 (1 or 2 ms) on the request direction (upstream) and {@code latency - 1 +- jitter} on the
   * answer direction (downstream): their sum spans latency +- jitter, symmetric about the nominal latency, whose
   * value holds the median with a margin (a sixth of the draws at +-3 ms, half of them at +-1 ms).
   */
  @Test
  void toxiproxyTcp_injectedDelayWithJitter_p50WithinHalfMillisecondOfAReferenceClient() throws IOException {
    try (ToxiproxyServer toxiproxy = ToxiproxyServer.start()) {
      for (long[] injected : INJECTED) {
        Proxy baseline = toxiproxy.proxy("baseline-" + injected[0], upstream());
        Proxy jittered = toxiproxy.proxy("jittered-" + injected[0], upstream());
        toxiproxy.addLatency(jittered, ToxicDirection.UPSTREAM, 2, 1);
        toxiproxy.addLatency(jittered, ToxicDirection.DOWNSTREAM, injected[0] - 1, injected[1]);
        InetSocketAddress jitteredAddress = new InetSocketAddress("127.0.0.1", ToxiproxyServer.listenPort(jittered));
        List<DatagramSocket> udpBlackHoles = new ArrayList<>();
        ReferenceClient reference = new ReferenceClient(jitteredAddress);
        try {
          Function<Proxy, ProbePeer> peer = proxy -> {
            // UDP goes nowhere (Toxiproxy only proxies TCP), so the prober falls back to TCP through the proxy.
            udpBlackHoles.add(blackHole());
            return new ProbePeer(proxy.getName().replaceAll("-.*", ""),
                (InetSocketAddress) udpBlackHoles.getLast().getLocalSocketAddress(),
                new InetSocketAddress("127.0.0.1", ToxiproxyServer.listenPort(proxy)), "vpn");
          };
          Map<String, RttEstimate> p50 = estimatesSideBySide(ProbeTransport.TCP, TCP_SAMPLES, reference::exchange,
              peer.apply(baseline), peer.apply(jittered));

          assertAccurate("toxiproxy-tcp", injected, p50, reference.roundTrips(), TCP_SAMPLES);
        } finally {
          udpBlackHoles.forEach(DatagramSocket::close);
        }
      }
    }
  }

  private static void assertAccurate(String link, long[] injected, Map<String, RttEstimate> run, List<Duration> truth,
      int samples) {
    double baseline = millis(run.get("baseline").p50());
    double jittered = millis(run.get("jittered").p50());
    double expected = median(truth);
    double error = jittered - expected;
    log.info(String.format("ACCURACY %s injected=%dms+-%dms: p50=%.3fms truth median=%.3fms over %d round trips "
        + "error=%+.3fms; baseline p50=%.3fms, p50 - baseline - nominal=%+.3fms", link, injected[0], injected[1],
        jittered, expected, truth.size(), error, baseline, jittered - baseline - injected[0]));
    assertThat(truth).as("%s %d ms: round trips measured outside the prober", link, injected[0])
        .hasSizeGreaterThanOrEqualTo(samples);
    assertThat(expected - injected[0]).as("%s %d ms: truth median - nominal (did the injector work?)", link,
        injected[0]).isBetween(-0.5, 5.0);
    assertThat(Math.abs(error)).as("%s %d ms: |p50 - truth median|", link, injected[0])
        .isLessThanOrEqualTo(TOLERANCE_MS);
  }

  private static double median(List<Duration> values) {
    long[] sorted = values.stream().mapToLong(Duration::toNanos).sorted().toArray();
    return sorted[sorted.length / 2] / 1e6;
  }

  /**
   * The test's own TCP exchange with the responder, as the prober makes it (connect, then time one request and its
   * answer), written without any of the prober's code but the packet's bytes.
   */
  private static final class ReferenceClient {
    private final InetSocketAddress target;
    private final List<Duration> roundTrips = Collections.synchronizedList(new ArrayList<>());
    private long sequence;

    ReferenceClient(InetSocketAddress target) {
      this.target = target;
    }

    /** One exchange; run at the prober's pace on one thread. */
    void exchange() {
      byte[] request = ProbePacket.request(sequence++, 0, "reference-probe").toBytes();
      try (Socket socket = new Socket()) {
        socket.connect(target, 5_000);
        socket.setSoTimeout(5_000);
        socket.setTcpNoDelay(true);
        long start = System.nanoTime();
        socket.getOutputStream().write(request);
        if (socket.getInputStream().readNBytes(request.length).length == request.length) {
          roundTrips.add(Duration.ofNanos(System.nanoTime() - start));
        }
      } catch (IOException e) {
        // Not a round trip: nothing to record; too few of them fail the check on their count.
      }
    }

    List<Duration> roundTrips() {
      synchronized (roundTrips) {
        return List.copyOf(roundTrips);
      }
    }
  }

  /**
   * One prober probing the peers side by side until each has {@code samples} samples, while {@code alongside} runs
   * at the same pace on its own thread; estimates by site.
   */
  private static Map<String, RttEstimate> estimatesSideBySide(ProbeTransport expected, int samples,
      Runnable alongside, ProbePeer... peers) throws IOException {
    ScheduledExecutorService owner =
        Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("accuracy-prober").factory());
    ScheduledExecutorService side =
        Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("accuracy-alongside").factory());
    Prober.Settings settings = Prober.Settings.of("jakarta-probe", LOOPBACK_ANY_PORT)
        .withInterval(INTERVAL)
        .withEstimator(LinkEstimator.Settings.defaults().withWindow(Duration.ofSeconds(120)));
    try (Prober prober = Prober.start(settings, Ticker.system(), owner, new Random(11), new SimpleMeterRegistry())) {
      prober.setPeers(List.of(peers));
      side.scheduleAtFixedRate(alongside, 0, INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
      await().atMost(Duration.ofSeconds(240)).until(() -> prober.estimates().join().stream()
          .allMatch(e -> e.estimate().samples() >= samples));
      List<PeerEstimate> estimates = prober.estimates().join();
      assertThat(estimates).extracting(PeerEstimate::transport).containsOnly(expected);
      return estimates.stream().collect(Collectors.toMap(e -> e.peer().siteId(), PeerEstimate::estimate));
    } finally {
      side.shutdownNow();
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
