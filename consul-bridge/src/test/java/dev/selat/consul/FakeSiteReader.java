package dev.selat.consul;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link SiteReader} with Consul's blocking semantics: one raft-like index rises on every write; the
 * services and health-state reads block until their own index passes the one asked for. Each instance registered
 * "with check" gets one service check whose ModifyIndex moves with its status.
 *
 * <p>{@link #answeringAtOnce()} makes a reader for tests on fake time: a blocking read with no change answers at once,
 * as if its wait had run out, so that no thread ever waits and the watches are paced by their token buckets only.
 */
class FakeSiteReader implements SiteReader {
  private final boolean blocks;
  private final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();
  private final Map<String, Map<String, ServiceInstance>> services = new LinkedHashMap<>();
  private final Map<String, CheckState> checks = new LinkedHashMap<>();
  private final Map<String, List<KvEntry>> kv = new LinkedHashMap<>();
  private final Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();
  private final Set<String> failingFetches = new LinkedHashSet<>();
  private long index = 10;
  private long servicesIndex = 10;
  private long checksIndex = 10;
  private long kvIndex = 10;
  private int failStatus = -1;
  private boolean knownLeader = true;
  private Duration lastContact = Duration.ZERO;

  FakeSiteReader() {
    this(true);
  }

  private FakeSiteReader(boolean blocks) {
    this.blocks = blocks;
  }

  static FakeSiteReader answeringAtOnce() {
    return new FakeSiteReader(false);
  }

  /** Requests sent to an endpoint ("/v1/catalog/services", "/v1/health/state/any", "/v1/kv/<prefix>"), failed ones too. */
  int queryCount(String endpoint) {
    return queries.getOrDefault(endpoint, new AtomicInteger()).get();
  }

  synchronized void register(String service, ServiceInstance i, boolean withCheck) {
    services.computeIfAbsent(service, s -> new LinkedHashMap<>()).put(i.id(), i);
    servicesIndex = ++index;
    if (withCheck) {
      checks.put(i.node() + "/service:" + i.id(), new CheckState(i.node(), "service:" + i.id(), service, index));
      checksIndex = index;
    }
    notifyAll();
  }

  synchronized void setStatus(String service, String id, HealthStatus status) {
    ServiceInstance i = services.get(service).get(id);
    services.get(service).put(id, new ServiceInstance(i.id(), i.node(), i.address(), i.port(), i.tags(), i.meta(),
        i.weights(), status));
    checks.put(i.node() + "/service:" + id, new CheckState(i.node(), "service:" + id, service, ++index));
    checksIndex = index;
    notifyAll();
  }

  synchronized void deregister(String service, String id) {
    ServiceInstance i = services.get(service).remove(id);
    if (services.get(service).isEmpty()) {
      services.remove(service);
    }
    checks.remove(i.node() + "/service:" + id);
    servicesIndex = ++index;
    checksIndex = index;
    notifyAll();
  }

  /** Simulates a snapshot restore: every index goes back, the data stays. */
  synchronized void restoreOlderSnapshot(long to) {
    index = to;
    servicesIndex = to;
    checksIndex = to;
    kvIndex = to;
    notifyAll();
  }

  synchronized void kvPut(String prefix, String key, String value) {
    List<KvEntry> entries = kv.computeIfAbsent(prefix, p -> new ArrayList<>());
    entries.removeIf(e -> e.key().equals(key));
    entries.add(new KvEntry(key, Optional.of(value), ++index));
    kvIndex = index;
    notifyAll();
  }

  synchronized void kvDelete(String prefix, String key) {
    kv.getOrDefault(prefix, new ArrayList<>()).removeIf(e -> e.key().equals(key));
    kvIndex = ++index;
    notifyAll();
  }

  synchronized long kvIndex() {
    return kvIndex;
  }

  /** The X-Consul-KnownLeader and X-Consul-LastContact of the answers from now on. */
  synchronized void leader(boolean known, Duration lastContact) {
    this.knownLeader = known;
    this.lastContact = lastContact;
  }

  /** -1: answer; 0: no response (like a dead Consul); else that HTTP status. */
  synchronized void failWith(int status) {
    failStatus = status;
    notifyAll();
  }

  synchronized void failFetchesOf(String service, boolean fail) {
    if (fail) {
      failingFetches.add(service);
    } else {
      failingFetches.remove(service);
    }
  }

  int fetchCount(String service) {
    return fetches.getOrDefault(service, new AtomicInteger()).get();
  }

  @Override
  public synchronized QueryResult<Map<String, List<String>>> services(long idx, Duration wait) {
    await(idx, wait, () -> servicesIndex, "/v1/catalog/services");
    Map<String, List<String>> out = new HashMap<>();
    services.forEach((name, instances) -> {
      Set<String> tags = new LinkedHashSet<>();
      instances.values().forEach(i -> tags.addAll(i.tags()));
      out.put(name, List.copyOf(tags));
    });
    return new QueryResult<>(out, servicesIndex, knownLeader, lastContact);
  }

  @Override
  public synchronized QueryResult<List<CheckState>> healthState(long idx, Duration wait) {
    await(idx, wait, () -> checksIndex, "/v1/health/state/any");
    return new QueryResult<>(List.copyOf(checks.values()), checksIndex, knownLeader, lastContact);
  }

  @Override
  public synchronized QueryResult<List<ServiceInstance>> serviceHealth(String service) {
    fetches.computeIfAbsent(service, s -> new AtomicInteger()).incrementAndGet();
    fail("/v1/health/service/" + service);
    if (failingFetches.contains(service)) {
      throw new ConsulQueryException("fake", "/v1/health/service/" + service, 500, "rpc error", null);
    }
    return new QueryResult<>(List.copyOf(services.getOrDefault(service, Map.of()).values()), index, knownLeader,
        lastContact);
  }

  @Override
  public synchronized QueryResult<List<KvEntry>> kv(String prefix, long idx, Duration wait) {
    await(idx, wait, () -> kvIndex, "/v1/kv/" + prefix);
    return new QueryResult<>(List.copyOf(kv.getOrDefault(prefix, List.of())), kvIndex, knownLeader, lastContact);
  }

  private void await(long idx, Duration wait, java.util.function.LongSupplier current, String endpoint) {
    queries.computeIfAbsent(endpoint, e -> new AtomicInteger()).incrementAndGet();
    long deadline = System.nanoTime() + wait.toNanos();
    fail(endpoint);
    while (blocks && idx > 0 && current.getAsLong() <= idx && failStatus < 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ConsulQueryException("fake", endpoint, 0, "interrupted", e);
      }
    }
    fail(endpoint);
  }

  private void fail(String endpoint) {
    if (failStatus >= 0) {
      throw new ConsulQueryException("fake", endpoint, failStatus, failStatus == 0 ? "Connection refused" : "error", null);
    }
  }

  @Override
  public void close() {}

  // The KV writes are ConsulBridge's pass-through to the real reader; the watcher tests never call them.
  @Override
  public Optional<KvEntry> kvGet(String key) {
    throw new UnsupportedOperationException("kvGet");
  }

  @Override
  public boolean kvPut(String key, String value, java.util.OptionalLong cas) {
    throw new UnsupportedOperationException("kvPut");
  }

  @Override
  public boolean kvDelete(String key, java.util.OptionalLong cas) {
    throw new UnsupportedOperationException("kvDelete");
  }

  @Override
  public TxnResult txn(List<KvOp> ops) {
    throw new UnsupportedOperationException("txn");
  }
}
