package dev.selat.benchmarks;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToIntFunction;

/**
 * N {@link AdsClient}s against one server, {@code streamsPerChannel} streams sharing each HTTP/2
 * connection (1: one connection per client, as every Envoy sidecar has). Clients are spread over the
 * subscription's groups round robin. Counts what arrives and when; thread-safe.
 */
final class Fleet implements AutoCloseable {
  /**
   * What the clients ask for and how they recognise the update they wait for: the groups (each client's node names
   * its group as its cluster and its locality's zone, so that part 1's servers and the control plane both group it),
   * every cluster's name, and the marker an assignment carries.
   */
  record Subscription(List<String> groups, List<String> clusterNames, ToIntFunction<ClusterLoadAssignment> markerOf) {
    Subscription {
      groups = List.copyOf(groups);
      clusterNames = List.copyOf(clusterNames);
    }
  }

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

  private final Subscription subscription;
  private final Map<String, Integer> clusterIndex = new HashMap<>();
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
  private final AtomicLong firstReachedNanos = new AtomicLong();
  private volatile boolean open = true;

  Fleet(Subscription subscription, int port, int clients, int streamsPerChannel, boolean delta) {
    if (clients < 1 || streamsPerChannel < 1) {
      throw new IllegalArgumentException("clients and streamsPerChannel: must be >= 1");
    }
    this.subscription = subscription;
    for (String name : subscription.clusterNames()) {
      clusterIndex.put(name, clusterIndex.size());
    }
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
      String group = subscription.groups().get(i % subscription.groups().size());
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
    firstReachedNanos.set(Long.MAX_VALUE);
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

  /** When the first client that got the expected update ACKed it. */
  long firstReachedNanos() {
    return firstReachedNanos.get();
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
    return subscription.clusterNames();
  }

  /** A subscribed cluster's position in {@link #clusterNames}, for clients counting what they hold. */
  int clusterIndex(String name) {
    Integer index = clusterIndex.get(name);
    if (index == null) {
      throw new IllegalArgumentException("cluster: not subscribed: " + name);
    }
    return index;
  }

  int markerOf(ClusterLoadAssignment assignment) {
    return subscription.markerOf().applyAsInt(assignment);
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
      firstReachedNanos.accumulateAndGet(nanos, Math::min);
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
