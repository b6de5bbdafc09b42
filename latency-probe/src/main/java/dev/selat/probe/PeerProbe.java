package dev.selat.probe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The probing state of one peer: sequence numbers, probes in flight, the transport in use, the estimator and the
 * peer's meters. A probe unanswered after the loss window is lost; an answer arriving after that is late (counted,
 * not a sample: the loss was already recorded). Owned by the prober's executor; not thread-safe.
 */
final class PeerProbe {
  private static final int REMEMBERED_EXPIRED = 256;
  private static final Duration[] RTT_BUCKETS = millis(1, 2, 3, 5, 7, 10, 12, 15, 20, 25, 30, 40, 50, 75, 100, 150,
      200, 300, 500, 1000);

  private record InFlight(long sentAt, ProbeTransport transport) {}

  final ProbePeer peer;
  final LinkEstimator estimator;
  private final long lossWindowNanos;
  private final int udpMissesBeforeTcp;
  private final Map<Long, InFlight> inFlight = new LinkedHashMap<>();
  private final Set<Long> expired = new LinkedHashSet<>();
  private final Timer rtt;
  private final Counter answered;
  private final Counter lost;
  private final Counter late;
  private final MeterRegistry registry;
  private long nextSequence;
  private ProbeTransport transport = ProbeTransport.UDP;
  private int udpMisses;
  ScheduledFuture<?> nextTick;

  PeerProbe(ProbePeer peer, LinkEstimator estimator, Duration lossWindow, int udpMissesBeforeTcp,
      MeterRegistry registry) {
    this.peer = peer;
    this.estimator = estimator;
    this.lossWindowNanos = lossWindow.toNanos();
    this.udpMissesBeforeTcp = udpMissesBeforeTcp;
    this.registry = registry;
    this.rtt = Timer.builder("selat.probe.rtt")
        .description("Round-trip time of answered probes, by peer site, link path and peer agent")
        .tags(tags(peer))
        .serviceLevelObjectives(RTT_BUCKETS)
        .register(registry);
    this.answered = probes("answered");
    this.lost = probes("lost");
    this.late = probes("late");
  }

  ProbeTransport transport() {
    return transport;
  }

  long send(long sentAt, ProbeTransport via) {
    long sequence = nextSequence++;
    inFlight.put(sequence, new InFlight(sentAt, via));
    return sequence;
  }

  /**
   * Expires probes older than the loss window. A lost probe of the transport in use is a loss; UDP probes sent
   * while on TCP only look for UDP coming back. Switches to TCP after {@code udpMissesBeforeTcp} UDP losses in a row.
   */
  void expire(long now) {
    for (Iterator<Map.Entry<Long, InFlight>> it = inFlight.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, InFlight> e = it.next();
      if (now - e.getValue().sentAt() < lossWindowNanos) {
        break;
      }
      it.remove();
      remember(e.getKey());
      ProbeTransport via = e.getValue().transport();
      if (via == transport) {
        estimator.recordLoss();
        lost.increment();
      }
      if (via == ProbeTransport.UDP && ++udpMisses >= udpMissesBeforeTcp) {
        transport = ProbeTransport.TCP;
      }
    }
  }

  /** What an answer was: a sample (one that completed a real RTT change: CHANGED), late, or matching nothing. */
  enum Answer {
    SAMPLE,
    CHANGED,
    LATE,
    UNEXPECTED
  }

  /**
   * Takes an answer received at {@code receivedAt}; the caller has checked the packet's agent id and computed the RTT.
   * {@code echoedSentAt} must be the send time recorded for that sequence, which a blind spoofer cannot know. An
   * answer after the loss window is late even when no tick has expired its probe yet.
   */
  Answer answer(long sequence, long echoedSentAt, long receivedAt, long rttNanos, ProbeTransport via) {
    expire(receivedAt);
    InFlight probe = inFlight.get(sequence);
    if (probe == null) {
      if (expired.remove(sequence)) {
        late.increment();
        return Answer.LATE;
      }
      return Answer.UNEXPECTED;
    }
    if (probe.transport() != via || (via == ProbeTransport.UDP && probe.sentAt() != echoedSentAt)) {
      return Answer.UNEXPECTED;
    }
    inFlight.remove(sequence);
    if (via == ProbeTransport.UDP) {
      udpMisses = 0;
      transport = ProbeTransport.UDP;
    }
    answered.increment();
    rtt.record(rttNanos, TimeUnit.NANOSECONDS);
    return estimator.recordRtt(rttNanos) ? Answer.CHANGED : Answer.SAMPLE;
  }

  /** A TCP probe that failed (refused, reset, timed out) is lost at once. */
  void tcpFailed(long sequence) {
    InFlight probe = inFlight.remove(sequence);
    if (probe != null) {
      remember(sequence);
      if (transport == ProbeTransport.TCP) {
        estimator.recordLoss();
        lost.increment();
      }
    }
  }

  void close() {
    if (nextTick != null) {
      nextTick.cancel(false);
    }
    for (Meter meter : List.of(rtt, answered, lost, late)) {
      registry.remove(meter);
    }
  }

  private void remember(long sequence) {
    expired.add(sequence);
    if (expired.size() > REMEMBERED_EXPIRED) {
      expired.remove(expired.iterator().next());
    }
  }

  private Counter probes(String outcome) {
    return Counter.builder("selat.probe.probes")
        .description("Probes sent to a peer, by outcome: answered, lost (no answer in the loss window), late")
        .tags(tags(peer))
        .tag("outcome", outcome)
        .register(registry);
  }

  /**
   * The tags of a peer's meters. A site can run several probe agents, all with the same site and path: the agent's
   * address keeps their meters apart (one shared meter would be removed when either agent goes away).
   */
  static Tags tags(ProbePeer peer) {
    return Tags.of("peer_site", peer.siteId(), "path", peer.path(),
        "peer", peer.udp().getAddress().getHostAddress() + ":" + peer.udp().getPort());
  }

  private static Duration[] millis(long... values) {
    Duration[] durations = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      durations[i] = Duration.ofMillis(values[i]);
    }
    return durations;
  }
}
