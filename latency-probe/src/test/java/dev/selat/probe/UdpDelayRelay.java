package dev.selat.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP forwarder on 127.0.0.1 standing in for a WAN link in tests. Datagrams from the client towards the upstream
 * (the request direction) are dropped with probability {@code lossRatio} (the first {@code lossyRequests} of them)
 * or delayed by {@code delay} plus a uniform
 * draw in [-jitter, +jitter]; answers go back to the client at once. So an echo's round trip is the loopback round
 * trip plus exactly one drawn delay. One seeded RNG draws both, so a run is repeatable.
 */
final class UdpDelayRelay implements AutoCloseable {
  private static final long EARLY_WAKEUP_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  /** @param lossyRequests how many requests, counted from the start, the loss applies to; later ones all pass */
  record Link(Duration delay, Duration jitter, double lossRatio, long lossyRequests) {
    Link(Duration delay, Duration jitter) {
      this(delay, jitter, 0, 0);
    }
  }

  private final DatagramChannel front;
  private final DatagramChannel back;
  private final InetSocketAddress upstream;
  private final Random random;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("udp-delay-relay-timer").factory());
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile Link link = new Link(Duration.ZERO, Duration.ZERO);
  private long requests;
  private volatile SocketAddress client;

  private UdpDelayRelay(InetSocketAddress upstream, long seed) throws IOException {
    this.upstream = upstream;
    this.random = new Random(seed);
    this.front = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    this.back = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
  }

  static UdpDelayRelay start(InetSocketAddress upstream, long seed) throws IOException {
    UdpDelayRelay relay = new UdpDelayRelay(upstream, seed);
    Thread.ofPlatform().name("udp-delay-relay-requests").daemon().start(relay::relayRequests);
    Thread.ofPlatform().name("udp-delay-relay-answers").daemon().start(relay::relayAnswers);
    return relay;
  }

  void set(Link newLink) {
    link = newLink;
  }

  InetSocketAddress address() throws IOException {
    return (InetSocketAddress) front.getLocalAddress();
  }

  long forwarded() {
    return forwarded.get();
  }

  long dropped() {
    return dropped.get();
  }

  private void relayRequests() {
    ByteBuffer in = ByteBuffer.allocate(2048);
    try {
      while (true) {
        in.clear();
        client = front.receive(in);
        in.flip();
        ByteBuffer copy = ByteBuffer.allocate(in.remaining()).put(in).flip();
        Link now = link;
        if (requests++ < now.lossyRequests() && random.nextDouble() < now.lossRatio()) {
          dropped.incrementAndGet();
          continue;
        }
        long jitter = now.jitter().toNanos();
        long delay = now.delay().toNanos() + (jitter == 0 ? 0 : (long) ((2 * random.nextDouble() - 1) * jitter));
        forwarded.incrementAndGet();
        long deadline = System.nanoTime() + delay;
        scheduler.schedule(() -> {
          // The timer wakes up to a few hundred microseconds late; waking early and spinning to the deadline
          // keeps the injected delay exact to a few microseconds.
          while (System.nanoTime() < deadline) {
            Thread.onSpinWait();
          }
          send(back, copy, upstream);
        }, delay - EARLY_WAKEUP_NANOS, TimeUnit.NANOSECONDS);
      }
    } catch (ClosedChannelException e) {
      // closed
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void relayAnswers() {
    ByteBuffer in = ByteBuffer.allocate(2048);
    try {
      while (true) {
        in.clear();
        back.receive(in);
        in.flip();
        send(front, in, client);
      }
    } catch (ClosedChannelException e) {
      // closed
    } catch (IOException e) {
      throw new IllegalStateException(e);
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
    scheduler.shutdownNow();
    try (front; back) {
      // both closed
    }
  }
}
