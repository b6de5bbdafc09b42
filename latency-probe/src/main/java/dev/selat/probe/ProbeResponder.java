package dev.selat.probe;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reflects probes: UDP echo ({@link ProbePacket}) and the same exchange over TCP, one probe per connection, for
 * networks that drop UDP; a TCP connection closed without data is a connect-time probe (or a health check). Binds only the configured addresses. Every datagram is validated; malformed, oversized,
 * spoofed (unknown agent id) and rate-limited ones are dropped and counted in {@code selat.probe.responder.packets}
 * by outcome, and no input can stop the loop.
 *
 * <p>Threading: one platform thread owns the UDP socket and its rate limiter; one owns the TCP accept loop and its
 * rate limiter; each accepted TCP probe is served on a virtual thread, at most {@code maxTcpConnections} at once.
 */
public final class ProbeResponder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProbeResponder.class);

  /**
   * @param allowedAgents agent ids whose probes are answered; empty answers any well-formed probe
   * @param ratePerSecond answers per second and source address, after a burst of {@code burst}
   */
  public record Settings(
      InetSocketAddress udpBind,
      InetSocketAddress tcpBind,
      Set<String> allowedAgents,
      double ratePerSecond,
      int burst,
      int maxSources,
      int maxTcpConnections,
      Duration tcpReadTimeout) {
    public Settings {
      requireNonNull(udpBind, "udpBind");
      requireNonNull(tcpBind, "tcpBind");
      allowedAgents = Set.copyOf(allowedAgents);
      requireNonNull(tcpReadTimeout, "tcpReadTimeout");
      if (maxSources < 1) {
        throw new IllegalArgumentException("maxSources: must be >= 1, got " + maxSources);
      }
      if (maxTcpConnections < 1) {
        throw new IllegalArgumentException("maxTcpConnections: must be >= 1, got " + maxTcpConnections);
      }
    }

    /** Defaults sized for a handful of peers probing every 500 ms: 50 answers/s per source, burst 100. */
    public static Settings of(InetSocketAddress udpBind, InetSocketAddress tcpBind) {
      return new Settings(udpBind, tcpBind, Set.of(), 50, 100, 4096, 64, Duration.ofSeconds(2));
    }

    public Settings withAllowedAgents(Set<String> agents) {
      return new Settings(udpBind, tcpBind, agents, ratePerSecond, burst, maxSources, maxTcpConnections, tcpReadTimeout);
    }

    public Settings withTcpReadTimeout(Duration timeout) {
      return new Settings(udpBind, tcpBind, allowedAgents, ratePerSecond, burst, maxSources, maxTcpConnections, timeout);
    }

    public Settings withRate(double perSecond, int burstSize) {
      return new Settings(udpBind, tcpBind, allowedAgents, perSecond, burstSize, maxSources, maxTcpConnections, tcpReadTimeout);
    }
  }

  private final Settings settings;
  private final Ticker ticker;
  private final DatagramChannel udp;
  private final ServerSocket tcp;
  private final Semaphore tcpSlots;
  private final Map<DropReason, Counter> udpDrops;
  private final Map<DropReason, Counter> tcpDrops;
  private final Counter udpReflected;
  private final Counter tcpReflected;
  private final Counter tcpConnectOnly;
  private final Thread udpThread;
  private final Thread tcpThread;
  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private volatile boolean closed;

  private ProbeResponder(Settings settings, Ticker ticker, MeterRegistry registry) throws IOException {
    this.settings = settings;
    this.ticker = ticker;
    this.registry = registry;
    this.udpDrops = dropCounters(registry, "udp");
    this.tcpDrops = dropCounters(registry, "tcp");
    this.udpReflected = packets(registry, "udp", "reflected");
    this.tcpReflected = packets(registry, "tcp", "reflected");
    this.tcpConnectOnly = packets(registry, "tcp", "connected");
    this.tcpSlots = new Semaphore(settings.maxTcpConnections());
    this.udp = DatagramChannel.open().bind(settings.udpBind());
    try {
      this.tcp = new ServerSocket();
      tcp.bind(settings.tcpBind(), 128);
    } catch (IOException e) {
      udp.close();
      throw e;
    }
    this.udpThread = Thread.ofPlatform().name("selat-probe-responder-udp").daemon().unstarted(this::serveUdp);
    this.tcpThread = Thread.ofPlatform().name("selat-probe-responder-tcp").daemon().unstarted(this::serveTcp);
  }

  public static ProbeResponder start(Settings settings, Ticker ticker, MeterRegistry registry) throws IOException {
    ProbeResponder responder = new ProbeResponder(
        requireNonNull(settings, "settings"), requireNonNull(ticker, "ticker"), requireNonNull(registry, "registry"));
    responder.udpThread.start();
    responder.tcpThread.start();
    log.info("probe responder on udp {} tcp {}", responder.udpAddress(), responder.tcpAddress());
    return responder;
  }

  public InetSocketAddress udpAddress() {
    try {
      return (InetSocketAddress) udp.getLocalAddress();
    } catch (IOException e) {
      throw new IllegalStateException("udp socket closed", e);
    }
  }

  public InetSocketAddress tcpAddress() {
    return (InetSocketAddress) tcp.getLocalSocketAddress();
  }

  private void serveUdp() {
    SourceRateLimiter limiter = limiter();
    // One byte more than the largest valid packet: a full buffer means the datagram was too long.
    ByteBuffer in = ByteBuffer.allocate(ProbePacket.MAX_LENGTH + 1);
    ByteBuffer out = ByteBuffer.allocate(ProbePacket.MAX_LENGTH);
    while (!closed) {
      try {
        in.clear();
        SocketAddress source = udp.receive(in);
        long receivedAt = ticker.nanos();
        in.flip();
        if (!(source instanceof InetSocketAddress from) || !limiter.tryAcquire(from.getAddress())) {
          udpDrops.get(DropReason.RATE_LIMITED).increment();
          continue;
        }
        DropReason reason = in.remaining() > ProbePacket.MAX_LENGTH ? DropReason.OVERSIZED : null;
        ProbePacket reply = reason == null ? reflect(in, receivedAt, udpDrops) : null;
        if (reply != null) {
          out.clear();
          reply.writeTo(out).flip();
          udp.send(out, from);
          udpReflected.increment();
        } else if (reason != null) {
          udpDrops.get(reason).increment();
        }
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
        udpDrops.get(DropReason.ERROR).increment();
        log.debug("udp probe failed", e);
      }
    }
  }

  /** The reply to a request, or null after counting why there is none. */
  private ProbePacket reflect(ByteBuffer in, long receivedAt, Map<DropReason, Counter> drops) {
    return switch (ProbePacket.decode(in, ProbePacket.Kind.REQUEST)) {
      case ProbePacket.Rejected rejected -> {
        drops.get(rejected.reason()).increment();
        yield null;
      }
      case ProbePacket.Valid valid when !settings.allowedAgents().isEmpty()
          && !settings.allowedAgents().contains(valid.packet().agentId()) -> {
        drops.get(DropReason.UNKNOWN_AGENT).increment();
        yield null;
      }
      case ProbePacket.Valid valid -> valid.packet().reflect(receivedAt, ticker.nanos());
    };
  }

  private void serveTcp() {
    SourceRateLimiter limiter = limiter();
    while (!closed) {
      try {
        Socket socket = tcp.accept();
        if (!limiter.tryAcquire(socket.getInetAddress())) {
          tcpDrops.get(DropReason.RATE_LIMITED).increment();
          socket.close();
        } else if (!tcpSlots.tryAcquire()) {
          tcpDrops.get(DropReason.RATE_LIMITED).increment();
          socket.close();
        } else {
          Thread.ofVirtual().name("selat-probe-responder-tcp-conn").start(() -> serveTcpProbe(socket));
        }
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
        tcpDrops.get(DropReason.ERROR).increment();
        log.debug("tcp accept failed", e);
      }
    }
  }

  private void serveTcpProbe(Socket socket) {
    // One deadline for the whole request: a per-read timeout alone lets a peer trickle a byte at a time and hold one
    // of the few connection slots for minutes.
    long deadline = System.nanoTime() + settings.tcpReadTimeout().toNanos();
    try (socket) {
      socket.setTcpNoDelay(true);
      InputStream in = socket.getInputStream();
      byte[] header = readBefore(deadline, socket, in, ProbePacket.HEADER_LENGTH);
      if (header.length == 0) {
        // A connect-time probe (or a Consul TCP health check): connecting was the whole exchange.
        tcpConnectOnly.increment();
        return;
      }
      byte[] id = header.length == ProbePacket.HEADER_LENGTH
          ? readBefore(deadline, socket, in, header[6] & 0xFF)
          : new byte[0];
      long receivedAt = ticker.nanos();
      ByteBuffer request = ByteBuffer.allocate(header.length + id.length).put(header).put(id).flip();
      ProbePacket reply = reflect(request, receivedAt, tcpDrops);
      if (reply != null) {
        socket.getOutputStream().write(reply.toBytes());
        tcpReflected.increment();
      }
    } catch (IOException | RuntimeException e) {
      tcpDrops.get(DropReason.ERROR).increment();
      log.debug("tcp probe failed", e);
    } finally {
      tcpSlots.release();
    }
  }

  /** Up to {@code length} bytes, fewer at end of stream; a timeout once {@code deadline} (nanoTime) has passed. */
  private static byte[] readBefore(long deadline, Socket socket, InputStream in, int length) throws IOException {
    byte[] bytes = new byte[length];
    int read = 0;
    while (read < length) {
      long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (leftMillis <= 0) {
        throw new SocketTimeoutException("tcp probe: request not complete within the read timeout");
      }
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMillis));
      int n = in.read(bytes, read, length - read);
      if (n < 0) {
        break;
      }
      read += n;
    }
    return read == length ? bytes : Arrays.copyOf(bytes, read);
  }

  private SourceRateLimiter limiter() {
    return new SourceRateLimiter(settings.ratePerSecond(), settings.burst(), settings.maxSources(), ticker);
  }

  private Map<DropReason, Counter> dropCounters(MeterRegistry registry, String protocol) {
    Map<DropReason, Counter> counters = new EnumMap<>(DropReason.class);
    for (DropReason reason : DropReason.values()) {
      counters.put(reason, packets(registry, protocol, reason.tag()));
    }
    return counters;
  }

  private Counter packets(MeterRegistry registry, String protocol, String outcome) {
    Counter counter = Counter.builder("selat.probe.responder.packets")
        .description("Probes the responder received, by protocol and outcome: reflected, connected (TCP connect "
            + "and close), or why dropped")
        .tag("protocol", protocol)
        .tag("outcome", outcome)
        .register(registry);
    meters.add(counter);
    return counter;
  }

  /** Closes both sockets, waits for their threads to end, and removes the responder's meters. */
  @Override
  public void close() throws IOException {
    closed = true;
    try (udp; tcp) {
      udpThread.interrupt();
    } finally {
      Threads.join(udpThread, tcpThread);
      meters.forEach(registry::remove);
    }
  }
}
