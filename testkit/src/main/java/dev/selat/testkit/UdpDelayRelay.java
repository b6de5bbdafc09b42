package dev.selat.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UDP forwarders on 127.0.0.1 standing in for WAN links in tests. On each path, datagrams from the client towards the
 * upstream (the request direction) are dropped with probability {@code lossRatio} (the first {@code lossyRequests}
 * of them) or delayed by {@code delay} plus a uniform draw in [-jitter, +jitter]; answers go back at once. So an
 * echo's round trip is the loopback round trip plus exactly one drawn delay.
 *
 * <p>Each path also measures, with its own clock and independently of the prober, what it saw of every probe it
 * forwarded (matched by the probe's sequence number): the delay it really held the request, and the round trip from
 * the request reaching the relay to the answer leaving it back to the client. That is the truth the prober's estimate
 * is compared with; it lacks only the two loopback hops between the client and the relay.
 *
 * <p>Every path of one relay shares the same two threads (a selector thread that receives and answers, a timer thread
 * that sends delayed datagrams), so paths compared side by side see the same scheduling delays; and one seeded RNG
 * draws every delay and drop, so a run is repeatable.
 */
public final class UdpDelayRelay implements AutoCloseable {
  private static final long EARLY_WAKEUP_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  /** @param lossyRequests how many requests, counted from the path's start, the loss applies to; later ones pass */
  public record Link(Duration delay, Duration jitter, double lossRatio, long lossyRequests) {
    public Link(Duration delay, Duration jitter) {
      this(delay, jitter, 0, 0);
    }
  }

  /** One forwarded path: clients send to {@link #address()}, the relay forwards to the upstream. */
  public final class Path {
    private final DatagramChannel front;
    private final DatagramChannel back;
    private final InetSocketAddress upstream;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    /** Sequence number -> when the request reached the relay (selector thread only). */
    private final Map<Long, Long> arrivals = new HashMap<>();
    private final List<Duration> held = Collections.synchronizedList(new ArrayList<>());
    private final List<Duration> roundTrips = Collections.synchronizedList(new ArrayList<>());
    private volatile Link link;
    private volatile SocketAddress client;
    private long requests;

    private Path(int frontPort, InetSocketAddress upstream, Link link) throws IOException {
      this.upstream = upstream;
      this.link = link;
      this.front = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", frontPort));
      this.back = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    }

    public void set(Link newLink) {
      link = newLink;
    }

    public InetSocketAddress address() throws IOException {
      return (InetSocketAddress) front.getLocalAddress();
    }

    public long forwarded() {
      return forwarded.get();
    }

    public long dropped() {
      return dropped.get();
    }

    /** The delays the relay really held forwarded requests, in the order it sent them on. */
    public List<Duration> held() {
      synchronized (held) {
        return List.copyOf(held);
      }
    }

    /** The round trips of answered probes as the relay saw them, in the order the answers came back. */
    public List<Duration> roundTrips() {
      synchronized (roundTrips) {
        return List.copyOf(roundTrips);
      }
    }

    /** On the selector thread: a request that reached the relay at {@code arrivedAt}, to drop or to delay. */
    private void request(ByteBuffer datagram, long arrivedAt) {
      Link now = link;
      if (requests++ < now.lossyRequests() && random.nextDouble() < now.lossRatio()) {
        dropped.incrementAndGet();
        return;
      }
      long jitter = now.jitter().toNanos();
      long delay = now.delay().toNanos() + (jitter == 0 ? 0 : (long) ((2 * random.nextDouble() - 1) * jitter));
      long deadline = arrivedAt + delay;
      forwarded.incrementAndGet();
      sequence(datagram).ifPresent(sequence -> arrivals.put(sequence, arrivedAt));
      timer.schedule(() -> {
        // The timer wakes up late by up to a few hundred microseconds; waking early and spinning to the deadline
        // keeps the injected delay exact when the machine is not overloaded.
        while (System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        send(back, datagram, upstream);
        held.add(Duration.ofNanos(System.nanoTime() - arrivedAt));
      }, deadline - System.nanoTime() - EARLY_WAKEUP_NANOS, TimeUnit.NANOSECONDS);
    }

    /** On the selector thread: an answer from upstream, passed back to the client at once. */
    private void answer(ByteBuffer datagram) {
      if (client == null) {
        return;
      }
      Long arrivedAt = sequence(datagram).map(arrivals::remove).orElse(null);
      send(front, datagram, client);
      if (arrivedAt != null) {
        roundTrips.add(Duration.ofNanos(System.nanoTime() - arrivedAt));
      }
    }

    /** The probe's sequence number (bytes 8..15 of a Selat probe packet, request and reply alike). */
    private static Optional<Long> sequence(ByteBuffer datagram) {
      return datagram.remaining() >= 16 ? Optional.of(datagram.getLong(datagram.position() + 8)) : Optional.empty();
    }
  }

  private final Selector selector;
  private final Random random;
  private final List<Path> paths = new ArrayList<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("udp-delay-relay-timer").factory());
  private final Thread selectorThread;

  private UdpDelayRelay(long seed) throws IOException {
    this.random = new Random(seed);
    this.selector = Selector.open();
    this.selectorThread = Thread.ofPlatform().name("udp-delay-relay").daemon().unstarted(this::run);
  }

  public static UdpDelayRelay start(long seed) throws IOException {
    UdpDelayRelay relay = new UdpDelayRelay(seed);
    relay.selectorThread.start();
    return relay;
  }

  /** A new path towards {@code upstream}, on a free port. */
  public Path open(InetSocketAddress upstream, Link link) throws IOException {
    return open(0, upstream, link);
  }

  /**
   * A new path towards {@code upstream} whose front is 127.0.0.1:{@code frontPort}: the port of a TCP proxy of the same
   * link, say, so that a peer reached by one port number over UDP and TCP goes through both.
   */
  public synchronized Path open(int frontPort, InetSocketAddress upstream, Link link) throws IOException {
    Path path = new Path(frontPort, upstream, link);
    path.front.configureBlocking(false);
    path.back.configureBlocking(false);
    selector.wakeup();
    path.front.register(selector, SelectionKey.OP_READ, path);
    path.back.register(selector, SelectionKey.OP_READ, path);
    paths.add(path);
    return path;
  }

  private void run() {
    ByteBuffer in = ByteBuffer.allocate(2048);
    try {
      while (selector.isOpen()) {
        selector.select();
        synchronized (this) {
          // open() registers while holding the lock; taking it here lets a pending registration finish.
        }
        for (SelectionKey key : selector.selectedKeys()) {
          Path path = (Path) key.attachment();
          DatagramChannel channel = (DatagramChannel) key.channel();
          in.clear();
          SocketAddress from = channel.receive(in);
          long arrivedAt = System.nanoTime();
          if (from == null) {
            continue;
          }
          in.flip();
          if (channel == path.front) {
            path.client = from;
            path.request(ByteBuffer.allocate(in.remaining()).put(in).flip(), arrivedAt);
          } else {
            path.answer(in);
          }
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException | ClosedSelectorException e) {
      // closed
    }
  }

  private static void send(DatagramChannel channel, ByteBuffer datagram, SocketAddress to) {
    try {
      channel.send(datagram, to);
    } catch (IOException e) {
      // A closed relay loses the datagram, as a cut link would.
    }
  }

  @Override
  public void close() throws IOException {
    timer.shutdownNow();
    selector.close();
    for (Path path : paths) {
      path.front.close();
      path.back.close();
    }
  }
}
