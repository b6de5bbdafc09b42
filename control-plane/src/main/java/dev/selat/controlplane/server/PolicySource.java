package dev.selat.controlplane.server;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.selat.consul.ConsulBridge;
import dev.selat.consul.KvEntry;
import dev.selat.consul.KvSnapshot;
import dev.selat.consul.KvState;
import dev.selat.controlplane.policy.PolicyInvalidException;
import dev.selat.controlplane.policy.PolicyParser;
import dev.selat.controlplane.policy.PolicyStore;
import dev.selat.controlplane.routing.Policy;
import dev.selat.proto.v1.RoutingPolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stored policies, from a KV watch of {@code selat/policies/} in every site: per key the winning revision across
 * the sites that answered ({@link PolicyStore#winner}), tombstones left out, each parsed against the configuration
 * (one that no longer parses, say a site removed from the config, is logged and skipped). They are known once a
 * majority of sites answered: a write needs a majority, so a majority read sees the latest one. A site whose keys
 * differ from the winners (it was down, or lost a race) starts a repair, on its own virtual thread, one at a time.
 *
 * <p>Threading: snapshots arrive on {@code serial} (the route engine's scheduler), which owns every field but the
 * repair flags.
 */
final class PolicySource {
  private static final Logger log = LoggerFactory.getLogger(PolicySource.class);
  private static final JsonFormat.Parser JSON = JsonFormat.parser().ignoringUnknownFields();

  private final ConsulBridge bridge;
  private final List<String> sites;
  private final PolicyParser parser;
  private final PolicyStore store;
  private final Consumer<List<Policy>> sink;
  private final Executor serial;
  private final Map<String, KvSnapshot> snapshots = new TreeMap<>();
  /**
   * What this replica's API wrote (key -> the stored policy, tombstones too): applied at once rather than when the
   * sites' watches next answer (a KV watch is paced by its token bucket, up to 15 s under churn). Only a higher revision
   * wins, so an entry here never hides a newer one from the sites.
   */
  private final Map<String, RoutingPolicy> written = new TreeMap<>();
  private final Set<String> warned = new HashSet<>();
  private List<RoutingPolicy> winners = List.of();
  private List<Policy> delivered;
  private final AtomicBoolean repairing = new AtomicBoolean();
  private final AtomicBoolean repairAgain = new AtomicBoolean();

  PolicySource(ConsulBridge bridge, List<String> sites, PolicyParser parser, PolicyStore store,
      Consumer<List<Policy>> sink, Executor serial) {
    // The sink may be a provider's target made later (the route engine): it is called on serial only.
    this.bridge = requireNonNull(bridge, "bridge");
    this.sites = List.copyOf(sites);
    this.parser = requireNonNull(parser, "parser");
    this.store = requireNonNull(store, "store");
    this.sink = requireNonNull(sink, "sink");
    this.serial = requireNonNull(serial, "serial");
  }

  void start() {
    sites.forEach(site -> bridge.watchKv(site, PolicyStore.PREFIX, serial, this::onSnapshot));
  }

  /** The live winners as last computed (for List/Get from the API's cache, DryRun): any thread. */
  List<RoutingPolicy> winners() {
    return winners;
  }

  /** A policy (or tombstone) this replica's API just stored in a majority: any thread. */
  void onWritten(RoutingPolicy stored) {
    serial.execute(() -> {
      written.merge(PolicyStore.PREFIX + stored.getName(), stored,
          (a, b) -> a.getRevision() >= b.getRevision() ? a : b);
      recompute();
    });
  }

  private void onSnapshot(KvSnapshot snapshot) {
    snapshots.put(snapshot.siteId(), snapshot);
    recompute();
  }

  private void recompute() {
    List<KvSnapshot> answered = snapshots.values().stream().filter(s -> s.state() != KvState.NOT_READ_YET).toList();
    if (answered.size() < sites.size() / 2 + 1) {
      return;
    }
    Map<String, List<RoutingPolicy>> byKey = new TreeMap<>();
    Map<String, Map<String, RoutingPolicy>> held = new TreeMap<>();
    for (KvSnapshot s : answered) {
      for (KvEntry e : s.entries().values()) {
        Optional<RoutingPolicy> p = e.value().flatMap(v -> parse(s.siteId(), e.key(), v));
        p.ifPresent(policy -> {
          byKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(policy);
          held.computeIfAbsent(s.siteId(), k -> new TreeMap<>()).put(e.key(), policy);
        });
      }
    }
    written.forEach((key, p) -> byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(p));
    List<RoutingPolicy> all = new ArrayList<>();
    boolean lagging = false;
    for (Map.Entry<String, List<RoutingPolicy>> e : byKey.entrySet()) {
      RoutingPolicy win = PolicyStore.winner(e.getValue()).orElseThrow();
      all.add(win);
      for (KvSnapshot s : answered) {
        lagging |= !win.equals(held.getOrDefault(s.siteId(), Map.of()).get(e.getKey()));
      }
    }
    winners = all.stream().filter(p -> !p.getDeleted()).toList();
    List<Policy> policies = new ArrayList<>();
    for (RoutingPolicy p : winners) {
      try {
        policies.add(parser.parse(p));
      } catch (PolicyInvalidException ex) {
        if (warned.add(p.getName() + "@" + p.getRevision())) {
          log.warn("policy {} revision {} is stored but does not fit this configuration, not applied: {}",
              p.getName(), p.getRevision(), ex.getMessage());
        }
      }
    }
    if (!policies.equals(delivered)) {
      delivered = List.copyOf(policies);
      log.info("policies: {}", policies.stream().map(p -> p.name() + "@" + p.revision()).toList());
      sink.accept(delivered);
    }
    if (lagging) {
      repair();
    }
  }

  private Optional<RoutingPolicy> parse(String site, String key, String json) {
    try {
      RoutingPolicy.Builder b = RoutingPolicy.newBuilder();
      JSON.merge(json, b);
      return Optional.of(b.build());
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      if (warned.add(site + ":" + key + ":" + json.hashCode())) {
        log.warn("site {}: {} is not a RoutingPolicy's JSON, ignored: {}", site, key, e.getMessage());
      }
      return Optional.empty();
    }
  }

  /** One repair at a time; a request while one runs makes it run once more. */
  private void repair() {
    if (!repairing.compareAndSet(false, true)) {
      repairAgain.set(true);
      return;
    }
    Thread.ofVirtual().name("selat-policy-repair").start(() -> {
      try {
        do {
          repairAgain.set(false);
          store.repair();
        } while (repairAgain.get());
      } catch (RuntimeException e) {
        log.warn("policy repair failed: {}", e.toString());
      } finally {
        repairing.set(false);
      }
    });
  }
}
