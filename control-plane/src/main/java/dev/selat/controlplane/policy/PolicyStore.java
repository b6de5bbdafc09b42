package dev.selat.controlplane.policy;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.selat.controlplane.policy.PolicyStoreException.Kind;
import dev.selat.proto.v1.RoutingPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Policies in the Consul KV of every site, {@code selat/policies/<name>}, each value the protobuf JSON of its
 * RoutingPolicy with its revision. No consensus of our own: a write reads every site, then checks-and-sets each
 * reachable site on the index it read, and stands only when a majority of the configured sites stored it; otherwise
 * the sites it did reach are put back (nothing half-written). On read the highest revision wins (ties: the value more
 * sites hold, then the smaller JSON); {@link #repair} writes the winner to the sites that lag. A delete writes a
 * tombstone ({@code deleted}) at the next revision, so a site that was down cannot bring the policy back.
 *
 * <p>Thread-safe and stateless: concurrent writers (threads, replicas) are ordered by Consul's check-and-set only.
 * Calls block the calling thread; each site is asked on its own virtual thread.
 */
public final class PolicyStore {
  private static final Logger log = LoggerFactory.getLogger(PolicyStore.class);
  public static final String PREFIX = "selat/policies/";
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().sortingMapKeys();
  /** Values written by a newer Selat may carry fields this one does not know. */
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private final SiteKv kv;
  private final List<String> sites;

  /** {@code sites}: every configured site (the majority is of these, reachable or not). */
  public PolicyStore(SiteKv kv, List<String> sites) {
    this.kv = requireNonNull(kv, "kv");
    this.sites = List.copyOf(sites);
    if (this.sites.isEmpty()) {
      throw new IllegalArgumentException("sites: at least one");
    }
  }

  /** @param writtenSites the sites whose Consul stored the write, in configured order */
  public record Written(RoutingPolicy policy, List<String> writtenSites) {
    public Written {
      requireNonNull(policy, "policy");
      writtenSites = List.copyOf(writtenSites);
    }
  }

  /** What one site holds of one key, or why it did not answer. */
  private record SiteRead(String site, Optional<SiteKv.Entry> entry, Optional<RoutingPolicy> policy,
      Optional<String> failure) {}

  public int majority() {
    return sites.size() / 2 + 1;
  }

  /**
   * Stores {@code policy} (validated by the caller) at the next revision, if the stored revision is
   * {@code expectedRevision} (0: none stored); empty: whatever is stored.
   */
  public Written apply(RoutingPolicy policy, OptionalLong expectedRevision) throws PolicyStoreException {
    RoutingPolicy clean = policy.toBuilder().clearRevision().clearDeleted().build();
    return write(policy.getName(), expectedRevision, current -> clean);
  }

  /** Replaces the stored policy with a tombstone at the next revision. */
  public Written delete(String name, OptionalLong expectedRevision) throws PolicyStoreException {
    return write(name, expectedRevision, current -> {
      if (current == null) {
        return null;
      }
      return RoutingPolicy.newBuilder().setName(name).setDeleted(true).build();
    });
  }

  /**
   * Read, modify, check-and-set: {@code next} turns the live stored policy (null when none) into the one to store (null:
   * not found). Used by {@link #apply}, {@link #delete} and migration transitions.
   */
  public Written write(String name, OptionalLong expectedRevision, UnaryOperator<RoutingPolicy> next)
      throws PolicyStoreException {
    String key = key(name);
    List<SiteRead> reads = readAll(key);
    List<SiteRead> reachable = reads.stream().filter(r -> r.failure().isEmpty()).toList();
    if (reachable.size() < majority()) {
      throw new PolicyStoreException(Kind.NO_MAJORITY, "policy " + name + " not written: only " + reachable.size()
          + " of " + sites.size() + " sites' Consul answered, a write needs " + majority() + " (" + failures(reads) + ")");
    }
    Optional<RoutingPolicy> winner = winner(reachable.stream().flatMap(r -> r.policy().stream()).toList());
    long storedLive = winner.filter(p -> !p.getDeleted()).map(RoutingPolicy::getRevision).orElse(0L);
    if (expectedRevision.isPresent() && expectedRevision.getAsLong() != storedLive) {
      throw new PolicyStoreException(Kind.CONFLICT, "policy " + name + ": expected revision "
          + expectedRevision.getAsLong() + ", stored is " + storedLive);
    }
    RoutingPolicy target = next.apply(winner.filter(p -> !p.getDeleted()).orElse(null));
    if (target == null) {
      throw new PolicyStoreException(Kind.NOT_FOUND, "policy " + name + " not found");
    }
    long revision = winner.map(RoutingPolicy::getRevision).orElse(0L) + 1;
    RoutingPolicy stored = target.toBuilder().setName(name).setRevision(revision).build();
    String json = json(stored);
    Map<String, Boolean> written = new HashMap<>();
    Map<String, String> refused = new TreeMap<>();
    List<Callable<Void>> puts = new ArrayList<>();
    for (SiteRead r : reachable) {
      puts.add(() -> {
        long cas = r.entry().map(SiteKv.Entry::modifyIndex).orElse(0L);
        try {
          boolean ok = kv.put(r.site(), key, json, cas);
          synchronized (written) {
            written.put(r.site(), ok);
            if (!ok) {
              refused.put(r.site(), "changed since read (check-and-set refused)");
            }
          }
        } catch (SiteKv.SiteUnavailableException e) {
          synchronized (written) {
            refused.put(r.site(), e.getMessage());
          }
        }
        return null;
      });
    }
    runAll(puts);
    List<String> ok = sites.stream().filter(s -> written.getOrDefault(s, false)).toList();
    if (ok.size() >= majority()) {
      if (!refused.isEmpty()) {
        log.info("policy {} revision {} written to {}, not to {} (repaired later)", name, revision, ok, refused.keySet());
      }
      return new Written(stored, ok);
    }
    rollBack(key, json, ok, reachable);
    boolean conflict = refused.values().stream().anyMatch(m -> m.startsWith("changed since read"));
    throw new PolicyStoreException(conflict ? Kind.CONFLICT : Kind.NO_MAJORITY, "policy " + name + " not written: "
        + ok.size() + " of " + sites.size() + " sites stored revision " + revision + ", a write needs " + majority()
        + (conflict ? " (a concurrent write won: read it again)" : "") + "; " + refused + (ok.isEmpty() ? ""
            : "; put back on " + ok));
  }

  /** The winning live policy, from the sites that answer; NO_MAJORITY when none does. */
  public Optional<RoutingPolicy> get(String name) throws PolicyStoreException {
    List<SiteRead> reads = readAll(key(name));
    List<SiteRead> reachable = reads.stream().filter(r -> r.failure().isEmpty()).toList();
    if (reachable.isEmpty()) {
      throw new PolicyStoreException(Kind.NO_MAJORITY, "no site's Consul answered (" + failures(reads) + ")");
    }
    return winner(reachable.stream().flatMap(r -> r.policy().stream()).toList()).filter(p -> !p.getDeleted());
  }

  /** Every live policy, by name, the winner of each. */
  public List<RoutingPolicy> list() throws PolicyStoreException {
    Map<String, List<RoutingPolicy>> byName = new TreeMap<>();
    int answered = 0;
    List<String> failures = new ArrayList<>();
    for (String site : sites) {
      try {
        for (SiteKv.Entry e : kv.list(site, PREFIX)) {
          parse(site, e).ifPresent(p -> byName.computeIfAbsent(p.getName(), n -> new ArrayList<>()).add(p));
        }
        answered++;
      } catch (SiteKv.SiteUnavailableException e) {
        failures.add(e.getMessage());
      }
    }
    if (answered == 0) {
      throw new PolicyStoreException(Kind.NO_MAJORITY, "no site's Consul answered (" + String.join("; ", failures) + ")");
    }
    return byName.values().stream().flatMap(v -> winner(v).stream()).filter(p -> !p.getDeleted()).toList();
  }

  /**
   * Writes each policy's winning revision (tombstones too) to the reachable sites that hold an older one, another value
   * at the same revision (a lost race), or none; returns what it wrote, as "site: name revision N".
   */
  public List<String> repair() {
    Map<String, Map<String, SiteKv.Entry>> bySite = new TreeMap<>();
    for (String site : sites) {
      try {
        Map<String, SiteKv.Entry> keys = new TreeMap<>();
        kv.list(site, PREFIX).forEach(e -> keys.put(e.key(), e));
        bySite.put(site, keys);
      } catch (SiteKv.SiteUnavailableException e) {
        log.debug("repair: {}", e.getMessage());
      }
    }
    Map<String, List<RoutingPolicy>> byKey = new TreeMap<>();
    bySite.forEach((site, keys) -> keys.values().forEach(e ->
        parse(site, e).ifPresent(p -> byKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(p))));
    List<String> repaired = new ArrayList<>();
    byKey.forEach((key, held) -> {
      RoutingPolicy win = winner(held).orElseThrow();
      String json = json(win);
      bySite.forEach((site, keys) -> {
        SiteKv.Entry have = keys.get(key);
        if (have != null && parse(site, have).map(p -> p.equals(win)).orElse(false)) {
          return;
        }
        try {
          if (kv.put(site, key, json, have == null ? 0 : have.modifyIndex())) {
            repaired.add(site + ": " + win.getName() + " revision " + win.getRevision());
          }
        } catch (SiteKv.SiteUnavailableException e) {
          log.debug("repair: {}", e.getMessage());
        }
      });
    });
    if (!repaired.isEmpty()) {
      log.info("policies repaired: {}", repaired);
    }
    return repaired;
  }

  /** The KV key of a policy; a name that is not one (say "../x", which would reach another key) is refused. */
  static String key(String name) {
    if (!PolicyParser.NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name: must be 1 to 63 of [a-z0-9-], starting and ending with a letter or "
          + "digit, was " + PolicyParser.quote(name));
    }
    return PREFIX + name;
  }

  /** The highest revision; ties: the value more of them hold, then the smaller JSON (deterministic on every replica). */
  public static Optional<RoutingPolicy> winner(Collection<RoutingPolicy> held) {
    Map<RoutingPolicy, Integer> count = new HashMap<>();
    held.forEach(p -> count.merge(p, 1, Integer::sum));
    return count.keySet().stream().min(Comparator
        .comparing((RoutingPolicy p) -> -p.getRevision())
        .thenComparing(p -> -count.get(p))
        .thenComparing(PolicyStore::json));
  }

  static String json(RoutingPolicy p) {
    try {
      return PRINTER.print(p);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A stored value; a value that is not a policy is logged and counts as absent (a write may replace it). */
  private static Optional<RoutingPolicy> parse(String site, SiteKv.Entry e) {
    try {
      RoutingPolicy.Builder b = RoutingPolicy.newBuilder();
      PARSER.merge(e.value(), b);
      return Optional.of(b.build());
    } catch (InvalidProtocolBufferException | RuntimeException ex) {
      log.warn("site {}: {} is not a RoutingPolicy's JSON, ignored: {}", site, e.key(), ex.getMessage());
      return Optional.empty();
    }
  }

  private List<SiteRead> readAll(String key) {
    List<Callable<SiteRead>> reads = new ArrayList<>();
    for (String site : sites) {
      reads.add(() -> {
        try {
          Optional<SiteKv.Entry> e = kv.read(site, key);
          return new SiteRead(site, e, e.flatMap(x -> parse(site, x)), Optional.empty());
        } catch (SiteKv.SiteUnavailableException ex) {
          return new SiteRead(site, Optional.empty(), Optional.empty(), Optional.of(ex.getMessage()));
        }
      });
    }
    return runAll(reads);
  }

  /** Puts back what {@code written} held before our write, where our value is still the current one. */
  private void rollBack(String key, String ours, List<String> written, List<SiteRead> before) {
    for (String site : written) {
      try {
        Optional<SiteKv.Entry> now = kv.read(site, key);
        if (now.isEmpty() || !now.get().value().equals(ours)) {
          continue;
        }
        Optional<SiteKv.Entry> old = before.stream().filter(r -> r.site().equals(site)).findFirst()
            .flatMap(SiteRead::entry);
        if (old.isPresent()) {
          kv.put(site, key, old.get().value(), now.get().modifyIndex());
        } else {
          kv.delete(site, key, now.get().modifyIndex());
        }
      } catch (SiteKv.SiteUnavailableException e) {
        // Left for repair: its revision loses to the majority's, or ties and loses by count.
        log.warn("policy write: could not put back {} on {}: {}", key, site, e.getMessage());
      }
    }
  }

  private static String failures(List<SiteRead> reads) {
    List<String> f = reads.stream().flatMap(r -> r.failure().stream()).toList();
    return f.isEmpty() ? "every site answered" : String.join("; ", f);
  }

  private static <T> List<T> runAll(List<Callable<T>> tasks) {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<T> out = new ArrayList<>();
      for (Future<T> f : pool.invokeAll(tasks)) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }
}
