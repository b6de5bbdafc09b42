package dev.selat.emulator.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who waits for what: a blocking query registers the named indexes and KV prefixes its answer
 * depends on, and is woken only by a commit that touches one of them (a query on service A does
 * not wake when only service B changes). Waiting parks the caller (a virtual thread).
 */
public final class Watches {
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, Set<Waiter>> byIndex = new HashMap<>();
  private final Set<Waiter> kvWaiters = new HashSet<>();

  /** What a query depends on: named indexes and KV key prefixes (an exact key is a prefix too). */
  public record WatchSet(Set<String> indexNames, Set<String> kvPrefixes) {
    public WatchSet {
      indexNames = Set.copyOf(indexNames);
      kvPrefixes = Set.copyOf(kvPrefixes);
    }

    public static WatchSet of(String... indexNames) {
      return new WatchSet(Set.of(indexNames), Set.of());
    }

    public static WatchSet kv(String prefix) {
      return new WatchSet(Set.of(), Set.of(prefix));
    }
  }

  /** A registration; {@link #await} returns true when woken, false on timeout. */
  public final class Waiter implements AutoCloseable {
    private final CountDownLatch latch = new CountDownLatch(1);
    private final WatchSet set;

    private Waiter(WatchSet set) {
      this.set = set;
    }

    public boolean await(Duration timeout) throws InterruptedException {
      return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
      unregister(this);
    }
  }

  /** Registers interest; call under the store's read lock so no commit can slip in between. */
  public Waiter register(WatchSet set) {
    Waiter w = new Waiter(set);
    lock.lock();
    try {
      set.indexNames().forEach(n -> byIndex.computeIfAbsent(n, k -> new HashSet<>()).add(w));
      if (!set.kvPrefixes().isEmpty()) {
        kvWaiters.add(w);
      }
    } finally {
      lock.unlock();
    }
    return w;
  }

  public int waiting() {
    lock.lock();
    try {
      Set<Waiter> all = new HashSet<>(kvWaiters);
      byIndex.values().forEach(all::addAll);
      return all.size();
    } finally {
      lock.unlock();
    }
  }

  void fire(Commit commit) {
    List<String> kvKeys = new ArrayList<>();
    for (Commit.Change c : commit.changes()) {
      if (c.table() == Table.KVS || c.table() == Table.TOMBSTONES) {
        kvKeys.add(c.key());
      }
    }
    List<Waiter> woken = new ArrayList<>();
    lock.lock();
    try {
      for (String n : commit.indexes().keySet()) {
        Set<Waiter> ws = byIndex.get(n);
        if (ws != null) {
          woken.addAll(ws);
        }
      }
      if (!kvKeys.isEmpty()) {
        for (Waiter w : kvWaiters) {
          if (matchesAny(w.set.kvPrefixes(), kvKeys)) {
            woken.add(w);
          }
        }
      }
    } finally {
      lock.unlock();
    }
    woken.forEach(w -> w.latch.countDown());
  }

  private static boolean matchesAny(Collection<String> prefixes, List<String> keys) {
    for (String p : prefixes) {
      for (String k : keys) {
        if (k.startsWith(p)) {
          return true;
        }
      }
    }
    return false;
  }

  private void unregister(Waiter w) {
    lock.lock();
    try {
      for (String n : w.set.indexNames()) {
        Set<Waiter> ws = byIndex.get(n);
        if (ws != null && ws.remove(w) && ws.isEmpty()) {
          byIndex.remove(n);
        }
      }
      if (!w.set.kvPrefixes().isEmpty()) {
        kvWaiters.remove(w);
      }
    } finally {
      lock.unlock();
    }
  }
}
