package dev.selat.probe;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every peer once per interval (jittered, so agents never synchronise), by UDP echo, falling back to a TCP
 * exchange with the peer's responder when UDP gets no answers, and back to UDP as soon as UDP answers again. Each
 * answer gives RTT = (receive - send) - (reflector send - reflector receive), all from monotonic clocks.
 *
 * <p>Threading: the injected single-threaded {@code owner} executor owns all state (peers, sequences, estimators);
 * one platform thread receives UDP answers and hands them to it; each TCP probe runs on a virtual thread and
 * reports back to it.
 */
public final class Prober implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Prober.class);
  private static final int MAX_PENDING_ANSWERS = 1024;

  /**
   * @param agentId this agent's id, written into every probe
   * @param bind the local address probes are sent from (port 0: any)
   * @param intervalJitter the interval varies uniformly by this fraction either way
   * @param lossWindow a probe unanswered this long is lost; a later answer is late
   * @param udpMissesBeforeTcp UDP losses in a row that switch a peer to TCP
   */
  public record Settings(
      String agentId,
      InetSocketAddress bind,
      Duration interval,
      double intervalJitter,
      Duration lossWindow,
      int udpMissesBeforeTcp,
      Duration tcpTimeout,
      LinkEstimator.Settings estimator) {
    public Settings {
      requireNonNull(agentId, "agentId");
      requireNonNull(bind, "bind");
      requireNonNull(interval, "interval");
      requireNonNull(lossWindow, "lossWindow");
      requireNonNull(tcpTimeout, "tcpTimeout");
      requireNonNull(estimator, "estimator");
      ProbePacket.requireValidId(agentId, "agentId");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval: must be > 0, got " + interval);
      }
      if (intervalJitter < 0 || intervalJitter >= 1) {
        throw new IllegalArgumentException("intervalJitter: must be in [0, 1), got " + intervalJitter);
      }
      if (udpMissesBeforeTcp < 1) {
        throw new IllegalArgumentException("udpMissesBeforeTcp: must be >= 1, got " + udpMissesBeforeTcp);
      }
    }

    /** Every 500 ms +-10%, lost after 2 s, TCP after 6 UDP losses in a row (3 s), default estimator. */
    public static Settings of(String agentId, InetSocketAddress bind) {
      return new Settings(agentId, bind, Duration.ofMillis(500), 0.1, Duration.ofSeconds(2), 6, Duration.ofSeconds(2),
          LinkEstimator.Settings.defaults());
    }

    public Settings withInterval(Duration newInterval) {
      return new Settings(agentId, bind, newInterval, intervalJitter, lossWindow, udpMissesBeforeTcp, tcpTimeout,
          estimator);
    }

    public Settings withLossWindow(Duration newLossWindow) {
      return new Settings(agentId, bind, interval, intervalJitter, newLossWindow, udpMissesBeforeTcp, tcpTimeout,
          estimator);
    }

    public Settings withEstimator(LinkEstimator.Settings newEstimator) {
      return new Settings(agentId, bind, interval, intervalJitter, lossWindow, udpMissesBeforeTcp, tcpTimeout,
          newEstimator);
    }
  }

  private final Settings settings;
  private final Ticker ticker;
  private final ScheduledExecutorService owner;
  private final RandomGenerator random;
  private final MeterRegistry registry;
  private final DatagramChannel udp;
  private final Thread receiver;
  private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
  private final Map<ProbePeer, PeerProbe> peers = new LinkedHashMap<>();
  private final Map<InetSocketAddress, PeerProbe> byUdpAddress = new HashMap<>();
  /** Datagrams handed to the owner and not yet taken by it. */
  private final AtomicInteger pendingAnswers = new AtomicInteger();
  private volatile boolean closed;

  private Prober(Settings settings, Ticker ticker, ScheduledExecutorService owner, RandomGenerator random,
      MeterRegistry registry) throws IOException {
    this.settings = requireNonNull(settings, "settings");
    this.ticker = requireNonNull(ticker, "ticker");
    this.owner = requireNonNull(owner, "owner");
    this.random = requireNonNull(random, "random");
    this.registry = requireNonNull(registry, "registry");
    for (DropReason reason : DropReason.values()) {
      dropped.put(reason, Counter.builder("selat.probe.replies.dropped")
          .description("Answers the prober dropped, by reason (malformed, spoofed, unexpected)")
          .tag("reason", reason.tag())
          .register(registry));
    }
    this.udp = DatagramChannel.open().bind(settings.bind());
    this.receiver = Thread.ofPlatform().name("selat-prober-udp-receiver").daemon().unstarted(this::receive);
  }

  /** Starts receiving; probing starts with {@link #setPeers}. */
  public static Prober start(Settings settings, Ticker ticker, ScheduledExecutorService owner, RandomGenerator random,
      MeterRegistry registry) throws IOException {
    Prober prober = new Prober(settings, ticker, owner, random, registry);
    prober.receiver.start();
    return prober;
  }

  /**
   * Replaces the peer set; peers kept keep their state and estimates. A peer at the UDP address of another is
   * ignored (logged), since answers are told apart by their source address.
   */
  public void setPeers(Collection<ProbePeer> newPeers) {
    List<ProbePeer> wanted = List.copyOf(newPeers);
    owner.execute(() -> {
      peers.values().removeIf(probe -> {
        boolean gone = !wanted.contains(probe.peer);
        if (gone) {
          probe.close();
          byUdpAddress.remove(probe.peer.udp());
        }
        return gone;
      });
      for (ProbePeer peer : wanted) {
        PeerProbe sameAddress = byUdpAddress.get(peer.udp());
        if (sameAddress != null && !sameAddress.peer.equals(peer)) {
          // Answers are matched by source address, so one address can be one peer only.
          log.warn("ignoring peer {}: its address is already probed as {}", peer, sameAddress.peer);
        } else if (!closed && !peers.containsKey(peer)) {
          PeerProbe probe = new PeerProbe(peer, new LinkEstimator(settings.estimator(), ticker),
              settings.lossWindow(), settings.udpMissesBeforeTcp(), registry);
          peers.put(peer, probe);
          byUdpAddress.put(peer.udp(), probe);
          tick(probe);
        }
      }
    });
  }

  /** Where probes are sent from and answers come back to. */
  public InetSocketAddress localAddress() {
    try {
      return (InetSocketAddress) udp.getLocalAddress();
    } catch (IOException e) {
      throw new IllegalStateException("prober socket closed", e);
    }
  }

  /** The current estimate of every peer, taken on the owner executor. */
  public CompletableFuture<List<PeerEstimate>> estimates() {
    return CompletableFuture.supplyAsync(() -> peers.values().stream()
        .map(p -> new PeerEstimate(p.peer, p.transport(), p.estimator.estimate()))
        .toList(), owner);
  }

  private void tick(PeerProbe probe) {
    if (closed || peers.get(probe.peer) != probe) {
      return;
    }
    // The next tick is scheduled first: whatever goes wrong below, this peer is probed again next interval.
    double factor = 1 + settings.intervalJitter() * (2 * random.nextDouble() - 1);
    probe.nextTick = owner.schedule(() -> tick(probe), (long) (settings.interval().toNanos() * factor),
        TimeUnit.NANOSECONDS);
    try {
      probe.expire(ticker.nanos());
      sendUdp(probe);
      if (probe.transport() == ProbeTransport.TCP) {
        sendTcp(probe);
      }
    } catch (RuntimeException e) {
      log.warn("probing {} failed; trying again next interval", probe.peer, e);
    }
  }

  private void sendUdp(PeerProbe probe) {
    long sentAt = ticker.nanos();
    long sequence = probe.send(sentAt, ProbeTransport.UDP);
    try {
      udp.send(ByteBuffer.wrap(ProbePacket.request(sequence, sentAt, settings.agentId()).toBytes()), probe.peer.udp());
    } catch (IOException e) {
      // Counted as lost when its loss window ends, like any probe the network dropped.
      log.debug("udp probe to {} failed", probe.peer, e);
    }
  }

  private void sendTcp(PeerProbe probe) {
    long sequence = probe.send(ticker.nanos(), ProbeTransport.TCP);
    InetSocketAddress target = probe.peer.tcp();
    int timeoutMillis = (int) settings.tcpTimeout().toMillis();
    Thread.ofVirtual().name("selat-prober-tcp").start(() -> {
      try (Socket socket = new Socket()) {
        socket.connect(target, timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        long sentAt = ticker.nanos();
        socket.getOutputStream().write(ProbePacket.request(sequence, sentAt, settings.agentId()).toBytes());
        InputStream in = socket.getInputStream();
        byte[] reply = in.readNBytes(ProbePacket.HEADER_LENGTH + settings.agentId().length());
        long receivedAt = ticker.nanos();
        onOwner(() -> onAnswer(probe, ByteBuffer.wrap(reply), receivedAt, ProbeTransport.TCP));
      } catch (IOException | RuntimeException e) {
        onOwner(() -> {
          if (peers.get(probe.peer) == probe) {
            probe.tcpFailed(sequence);
          }
        });
      }
    });
  }

  private void receive() {
    ByteBuffer in = ByteBuffer.allocate(ProbePacket.MAX_LENGTH + 1);
    while (!closed) {
      try {
        in.clear();
        SocketAddress source = udp.receive(in);
        long receivedAt = ticker.nanos();
        in.flip();
        if (pendingAnswers.incrementAndGet() > MAX_PENDING_ANSWERS) {
          // A flood (or a stalled owner): no more datagrams queue up than the owner can soon take.
          pendingAnswers.decrementAndGet();
          dropped.get(DropReason.RATE_LIMITED).increment();
          continue;
        }
        ByteBuffer datagram = ByteBuffer.allocate(in.remaining()).put(in).flip();
        boolean queued = onOwner(() -> {
          pendingAnswers.decrementAndGet();
          PeerProbe probe = byUdpAddress.get(source);
          if (probe == null) {
            dropped.get(DropReason.UNEXPECTED).increment();
          } else {
            onAnswer(probe, datagram, receivedAt, ProbeTransport.UDP);
          }
        });
        if (!queued) {
          pendingAnswers.decrementAndGet();
        }
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (!closed) {
          log.debug("udp receive failed", e);
        }
      }
    }
  }

  private void onAnswer(PeerProbe probe, ByteBuffer bytes, long receivedAt, ProbeTransport via) {
    if (peers.get(probe.peer) != probe) {
      return;
    }
    if (bytes.remaining() > ProbePacket.MAX_LENGTH) {
      dropped.get(DropReason.OVERSIZED).increment();
      return;
    }
    switch (ProbePacket.decode(bytes, ProbePacket.Kind.REPLY)) {
      case ProbePacket.Rejected rejected -> dropped.get(rejected.reason()).increment();
      case ProbePacket.Valid valid when !valid.packet().agentId().equals(settings.agentId()) ->
          dropped.get(DropReason.UNEXPECTED).increment();
      case ProbePacket.Valid valid -> {
        ProbePacket reply = valid.packet();
        long roundTrip = receivedAt - reply.senderTimestamp();
        long reflectorHeld = reply.reflectorSend() - reply.reflectorReceive();
        if (reflectorHeld < 0 || roundTrip < 0 || reflectorHeld > roundTrip) {
          dropped.get(DropReason.BAD_TIMESTAMPS).increment();
          return;
        }
        long rtt = roundTrip - reflectorHeld;
        switch (probe.answer(reply.sequence(), reply.senderTimestamp(), receivedAt, rtt, via)) {
          case UNEXPECTED -> dropped.get(DropReason.UNEXPECTED).increment();
          case CHANGED -> log.info("rtt to {} over {} changed: now {}", probe.peer.siteId(), probe.peer.path(),
              probe.estimator.estimate().smoothed());
          case SAMPLE, LATE -> { }
        }
      }
    }
  }

  /** Runs {@code task} on the owner; false when the owner is shutting down (the answer no longer matters then). */
  private boolean onOwner(Runnable task) {
    try {
      owner.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /**
   * Stops probing and receiving (the receiver thread has ended when this returns) and removes the prober's meters;
   * the peers' state and meters go in a task on the owner, which must still run it (shut the owner down after this,
   * with {@code shutdown()}, not {@code shutdownNow()}).
   */
  @Override
  public void close() throws IOException {
    closed = true;
    try (udp) {
      onOwner(() -> {
        peers.values().forEach(PeerProbe::close);
        peers.clear();
        byUdpAddress.clear();
      });
      receiver.interrupt();
    } finally {
      Threads.join(receiver);
      dropped.values().forEach(registry::remove);
    }
  }
}
