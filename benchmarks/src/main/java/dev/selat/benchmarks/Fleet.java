package dev.selat.benchmarks;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * N {@link AdsClient}s against one server, {@code streamsPerChannel} streams sharing each HTTP/2
 * connection (1: one connection per client, as every Envoy sidecar has). Clients are spread over the
 * workload's groups round robin. Counts what arrives and when; thread-safe.
 */
final class Fleet implements AutoCloseable {
  /** The update clients are waiting for: cluster {@code cluster} carrying {@code marker}. */
  record Target(int update, String cluster, int marker, ByteString namePrefix) {
    static Target of(int update, String cluster, int marker) {
      ByteString.Output out = ByteString.newOutput();
      try {
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        coded.writeString(1, cluster);
        coded.flush();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return new Target(update, cluster, marker, out.toByteString());
    }
  }

  private final List<String> clusterNames;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<AdsClient> clients = new ArrayList<>();
  private final ScheduledExecutorService reconnects = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bench-reconnect");
    t.setDaemon(true);
    return t;
  });
  private final CountDownLatch allServed;
  private final AtomicLong lastServedNanos = new AtomicLong();
  private final LongAdder bytes = new LongAdder();
  private final Map<Status.Code, LongAdder> failures = new EnumMap<>(Status.Code.class);
  private volatile Target target;
  private volatile CountDownLatch allReached = new CountDownLatch(0);
  private final AtomicLong lastReachedNanos = new AtomicLong();
  private volatile boolean open = true;

  Fleet(Workload workload, int port, int clients, int streamsPerChannel, boolean delta) {
    if (clients < 1 || streamsPerChannel < 1) {
      throw new IllegalArgumentException("clients and streamsPerChannel: must be >= 1");
    }
    this.clusterNames = workload.clusterNames();
    this.allServed = new CountDownLatch(clients);
    for (Status.Code code : Status.Code.values()) {
      failures.put(code, new LongAdder());
    }
    for (int i = 0; i < clients; i++) {
      if (i % streamsPerChannel == 0) {
        channels.add(NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .directExecutor() // handlers are short and never block
            .maxInboundMessageSize(64 << 20)
            .build());
      }
      String group = workload.groups().get(i % workload.groups().size());
      this.clients.add(new AdsClient(this, i, channels.get(channels.size() - 1), delta, group));
    }
  }

  /** Opens every client's stream at once: the storm. */
  void connectAll() {
    clients.forEach(AdsClient::start);
  }

  boolean awaitServed(Duration timeout) throws InterruptedException {
    return allServed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  int size() {
    return clients.size();
  }

  long servedCount() {
    return clients.size() - allServed.getCount();
  }

  long lastServedNanos() {
    return lastServedNanos.get();
  }

  /** Starts waiting for {@code update}; the bytes counter restarts. Call before publishing it. */
  void expect(int update, String cluster, int marker) {
    lastReachedNanos.set(0);
    allReached = new CountDownLatch(clients.size());
    bytes.reset();
    target = Target.of(update, cluster, marker);
  }

  boolean awaitReached(Duration timeout) throws InterruptedException {
    return allReached.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  long reachedCount() {
    return clients.size() - allReached.getCount();
  }

  /** When the last client that got the expected update ACKed it. */
  long lastReachedNanos() {
    return lastReachedNanos.get();
  }

  /** Response bytes (serialized DiscoveryResponse sizes) received since {@link #expect}. */
  long bytesReceived() {
    return bytes.sum();
  }

  Map<Status.Code, Long> failures() {
    Map<Status.Code, Long> out = new EnumMap<>(Status.Code.class);
    failures.forEach((code, n) -> {
      if (n.sum() > 0) {
        out.put(code, n.sum());
      }
    });
    return out;
  }

  List<String> clusterNames() {
    return clusterNames;
  }

  Target target() {
    return target;
  }

  boolean isOpen() {
    return open;
  }

  void received(int responseBytes) {
    bytes.add(responseBytes);
  }

  void served(long nanos) {
    lastServedNanos.accumulateAndGet(nanos, Math::max);
    allServed.countDown();
  }

  void reached(int update, long nanos) {
    if (target != null && target.update() == update) {
      lastReachedNanos.accumulateAndGet(nanos, Math::max);
      allReached.countDown();
    }
  }

  void failed(Status.Code code) {
    failures.get(code).increment();
  }

  /** Reconnects as Envoy does: exponential backoff from 250 ms up to 4 s, fully jittered. */
  void reconnectLater(AdsClient client, int failures) {
    long capMillis = Math.min(4_000, 250L << Math.min(failures - 1, 4));
    reconnects.schedule(() -> {
      if (open) {
        client.start();
      }
    }, ThreadLocalRandom.current().nextLong(capMillis / 2, capMillis + 1), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    open = false;
    reconnects.shutdownNow();
    clients.forEach(AdsClient::cancel);
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
    for (ManagedChannel channel : channels) {
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
