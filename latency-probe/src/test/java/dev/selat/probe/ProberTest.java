package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The prober against a real responder on loopback. */
class ProberTest {
  private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
  private static final Duration AWAIT = Duration.ofSeconds(20);

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final ScheduledExecutorService owner =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("prober-test-owner").factory());
  private ProbeResponder responder;
  private Prober prober;

  @BeforeEach
  void setUp() throws IOException {
    responder = ProbeResponder.start(ProbeResponder.Settings.of(LOOPBACK_ANY_PORT, LOOPBACK_ANY_PORT)
        .withRate(1_000, 1_000), Ticker.system(), registry);
    prober = Prober.start(Prober.Settings.of("jakarta-probe", LOOPBACK_ANY_PORT).withInterval(Duration.ofMillis(20)),
        Ticker.system(), owner, new Random(1), registry);
  }

  @AfterEach
  void tearDown() throws IOException {
    prober.close();
    responder.close();
    owner.shutdownNow();
  }

  @Test
  void setPeers_answeringPeer_measuresRttOverUdp() {
    ProbePeer peer = new ProbePeer("aws-sg", responder.udpAddress(), responder.tcpAddress(), "vpn");

    prober.setPeers(List.of(peer));

    await().atMost(AWAIT).until(() -> only(prober).estimate().samples() >= 20);
    PeerEstimate estimate = only(prober);
    assertThat(estimate.peer()).isEqualTo(peer);
    assertThat(estimate.transport()).isEqualTo(ProbeTransport.UDP);
    assertThat(estimate.estimate().stale()).isFalse();
    assertThat(estimate.estimate().p50()).isPositive().isLessThan(Duration.ofMillis(100));
    assertThat(registry.get("selat.probe.rtt").tag("peer_site", "aws-sg").tag("path", "vpn").timer().count())
        .isGreaterThanOrEqualTo(20);
  }

  @Test
  void setPeers_udpNeverAnswered_fallsBackToTcpAndKeepsMeasuring() throws IOException {
    try (DatagramSocket blackHole = new DatagramSocket(LOOPBACK_ANY_PORT)) {
      InetSocketAddress silentUdp = (InetSocketAddress) blackHole.getLocalSocketAddress();
      prober.setPeers(List.of(new ProbePeer("alibaba-sg", silentUdp, responder.tcpAddress(), "leased-line")));

      await().atMost(AWAIT).until(() -> only(prober).transport() == ProbeTransport.TCP
          && only(prober).estimate().samples() >= 10);

      assertThat(only(prober).estimate().p50()).isPositive().isLessThan(Duration.ofMillis(100));
    }
  }

  @Test
  void setPeers_peerRemoved_dropsItsEstimateAndMeters() {
    ProbePeer peer = new ProbePeer("aws-sg", responder.udpAddress(), responder.tcpAddress(), "vpn");
    prober.setPeers(List.of(peer));
    await().atMost(AWAIT).until(() -> only(prober).estimate().samples() >= 1);

    prober.setPeers(List.of());

    await().atMost(AWAIT).until(() -> prober.estimates().join().isEmpty());
    assertThat(registry.find("selat.probe.rtt").timers()).isEmpty();
  }

  @Test
  void setPeers_twoPeersAtOneAddress_probesOnlyTheFirst() {
    ProbePeer first = new ProbePeer("aws-sg", responder.udpAddress(), responder.tcpAddress(), "vpn");
    ProbePeer sameAddress = new ProbePeer("alibaba-sg", responder.udpAddress(), responder.tcpAddress(), "leased-line");

    prober.setPeers(List.of(first, sameAddress));

    await().atMost(AWAIT).until(() -> only(prober).estimate().samples() >= 5);
    assertThat(only(prober).peer()).isEqualTo(first);
  }

  /** Two agents of one site over one path: each has its own meters, and removing one leaves the other's. */
  @Test
  void setPeers_twoAgentsOfOneSiteThenOneGone_otherKeepsItsMeters() throws IOException {
    try (ProbeResponder second = ProbeResponder.start(ProbeResponder.Settings.of(LOOPBACK_ANY_PORT, LOOPBACK_ANY_PORT)
        .withRate(1_000, 1_000), Ticker.system(), new SimpleMeterRegistry())) {
      ProbePeer first = new ProbePeer("aws-sg", responder.udpAddress(), responder.tcpAddress(), "vpn");
      ProbePeer other = new ProbePeer("aws-sg", second.udpAddress(), second.tcpAddress(), "vpn");
      prober.setPeers(List.of(first, other));
      await().atMost(AWAIT).until(() -> prober.estimates().join().stream().allMatch(e -> e.estimate().samples() > 0));

      prober.setPeers(List.of(other));

      await().atMost(AWAIT).until(() -> prober.estimates().join().size() == 1);
      assertThat(registry.find("selat.probe.rtt").tag("peer_site", "aws-sg").timers()).hasSize(1);
      long counted = registry.get("selat.probe.rtt").tag("peer_site", "aws-sg").timer().count();
      await().atMost(AWAIT).until(
          () -> registry.get("selat.probe.rtt").tag("peer_site", "aws-sg").timer().count() > counted);
    }
  }

  /** A flood at the prober's own port while its owner thread is busy queues a bounded backlog, not every datagram. */
  @Test
  void receive_floodWhileOwnerBusy_dropsBeyondTheBacklogAndKeepsProbing() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    owner.execute(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try (DatagramSocket flooder = new DatagramSocket(LOOPBACK_ANY_PORT)) {
      byte[] junk = new byte[64];
      await().atMost(AWAIT).until(() -> {
        for (int i = 0; i < 200; i++) {
          flooder.send(new DatagramPacket(junk, junk.length, prober.localAddress()));
        }
        return registry.get("selat.probe.replies.dropped").tag("reason", "rate_limited").counter().count() > 0;
      });
    } finally {
      release.countDown();
    }

    prober.setPeers(List.of(new ProbePeer("aws-sg", responder.udpAddress(), responder.tcpAddress(), "vpn")));
    await().atMost(AWAIT).until(() -> only(prober).estimate().samples() >= 3);
  }

  /** An exception in one tick (here from the clock) must not end that peer's probing: the owner thread swallows it. */
  @Test
  void tick_throwsOnce_peerIsStillProbed() throws IOException {
    AtomicInteger ownerCalls = new AtomicInteger();
    Ticker failsOnceInATick = () -> {
      // The owner's first reading starts the estimator; its second is the first tick's.
      if (Thread.currentThread().getName().equals("prober-test-owner") && ownerCalls.incrementAndGet() == 2) {
        throw new IllegalStateException("clock failed");
      }
      return System.nanoTime();
    };
    try (Prober failing = Prober.start(Prober.Settings.of("jakarta-probe", LOOPBACK_ANY_PORT)
        .withInterval(Duration.ofMillis(20)), failsOnceInATick, owner, new Random(1), new SimpleMeterRegistry())) {
      failing.setPeers(List.of(new ProbePeer("aws-sg", responder.udpAddress(), responder.tcpAddress(), "vpn")));

      await().atMost(AWAIT).until(() -> only(failing).estimate().samples() >= 3);
      assertThat(ownerCalls.get()).isGreaterThan(2);
    }
  }

  private static PeerEstimate only(Prober prober) {
    List<PeerEstimate> estimates = prober.estimates().join();
    assertThat(estimates).hasSize(1);
    return estimates.getFirst();
  }
}
