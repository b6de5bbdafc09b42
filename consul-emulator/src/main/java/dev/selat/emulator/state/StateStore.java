package dev.selat.emulator.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * The emulator's single source of truth: tables of immutable rows, one monotonic index, the named
 * indexes Consul keeps (per table and per service). Writers are serialized by the write lock; a
 * commit is journaled (durable) before it is applied, so readers never see an unacknowledged or a
 * half-applied write. Watchers are woken after the lock is released.
 */
public final class StateStore {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final EnumMap<Table, TreeMap<String, Object>> tables = new EnumMap<>(Table.class);
  private final Map<String, Long> indexes = new HashMap<>();
  private final Map<String, Set<String>> serviceKeysByName = new HashMap<>();
  private final Watches watches = new Watches();
  private final Journal journal;
  private long lastIndex;

  public StateStore(Journal journal) {
    this.journal = journal;
    for (Table t : Table.values()) {
      tables.put(t, new TreeMap<>());
    }
  }

  public Watches watches() {
    return watches;
  }

  public <T> T read(Function<ReadTx, T> fn) {
    lock.readLock().lock();
    try {
      return fn.apply(new View());
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Runs {@code fn} as one all-or-nothing transaction. When it changed anything, the commit gets
   * the next index, is journaled, then applied. An exception from {@code fn} discards it all.
   */
  public <T> T write(Function<WriteTx, T> fn) {
    Commit commit;
    T result;
    lock.writeLock().lock();
    try {
      Tx tx = new Tx(lastIndex + 1);
      result = fn.apply(tx);
      if (tx.staged.isEmpty() && tx.touched.isEmpty()) {
        return result;
      }
      commit = tx.toCommit();
      try {
        journal.append(commit, this::image);
      } catch (IOException e) {
        throw new UncheckedIOException("journal append failed at index " + commit.index(), e);
      }
      apply(commit);
    } finally {
      lock.writeLock().unlock();
    }
    watches.fire(commit);
    return result;
  }

  /** Re-applies a journaled commit during recovery (no journaling, no watchers yet). */
  void replay(Commit commit) {
    lock.writeLock().lock();
    try {
      if (commit.index() > lastIndex) {
        apply(commit);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** A consistent copy of everything, for snapshots. */
  public StateImage image() {
    return read(r -> {
      Map<Table, List<Object>> rows = new EnumMap<>(Table.class);
      tables.forEach((t, m) -> rows.put(t, List.copyOf(m.values())));
      return new StateImage(lastIndex, Map.copyOf(indexes), rows);
    });
  }

  /**
   * Replaces all state with an image (snapshot restore). The index keeps rising: everything the
   * image holds is re-stamped no higher than the new index, and every watcher is woken.
   */
  public void restore(StateImage image, boolean journalIt) {
    Commit commit;
    lock.writeLock().lock();
    try {
      long index = Math.max(lastIndex, image.lastIndex()) + 1;
      List<Commit.Change> changes = new ArrayList<>();
      tables.forEach((t, m) -> m.keySet().forEach(k -> changes.add(new Commit.Change(t, k, null))));
      image.rows().forEach((t, rows) -> rows.forEach(r -> changes.add(new Commit.Change(t, keyOf(r), r))));
      Map<String, Long> idx = new HashMap<>();
      indexes.keySet().forEach(k -> idx.put(k, index));
      image.indexes().keySet().forEach(k -> idx.put(k, index));
      commit = new Commit(index, changes, idx);
      if (journalIt) {
        try {
          journal.append(commit, this::image);
        } catch (IOException e) {
          throw new UncheckedIOException("journal append failed at index " + index, e);
        }
      }
      apply(commit);
    } finally {
      lock.writeLock().unlock();
    }
    watches.fire(commit);
  }

  /** Loads an image at start-up (recovery), as it was, before any commit is replayed. */
  void load(StateImage image) {
    lock.writeLock().lock();
    try {
      tables.values().forEach(TreeMap::clear);
      serviceKeysByName.clear();
      indexes.clear();
      indexes.putAll(image.indexes());
      image.rows().forEach((t, rows) -> rows.forEach(r -> applyRow(t, keyOf(r), r)));
      lastIndex = image.lastIndex();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Closes the journal; the store must not be written afterwards. */
  public void close() throws Exception {
    journal.close();
  }

  public long lastIndex() {
    return read(ReadTx::lastIndex);
  }

  static String keyOf(Object row) {
    return switch (row) {
      case Node n -> n.name();
      case ServiceInstance s -> s.key();
      case HealthCheck c -> c.key();
      case KvEntry e -> e.key();
      case Tombstone t -> t.key();
      case Session s -> s.id();
      case Coordinate c -> Coordinate.key(c.node(), c.segment());
      case AclToken t -> t.accessorId();
      case AclPolicy p -> p.id();
      case MetaEntry m -> m.name();
      default -> throw new IllegalArgumentException("not a row: " + row.getClass());
    };
  }

  private void apply(Commit commit) {
    for (Commit.Change c : commit.changes()) {
      applyRow(c.table(), c.key(), c.row());
    }
    indexes.putAll(commit.indexes());
    lastIndex = commit.index();
  }

  private void applyRow(Table table, String key, Object row) {
    Object old = row == null ? tables.get(table).remove(key) : tables.get(table).put(key, row);
    if (table == Table.SERVICES) {
      if (old instanceof ServiceInstance s) {
        Set<String> keys = serviceKeysByName.get(s.service());
        keys.remove(key);
        if (keys.isEmpty()) {
          serviceKeysByName.remove(s.service());
        }
      }
      if (row instanceof ServiceInstance s) {
        serviceKeysByName.computeIfAbsent(s.service(), n -> new TreeSet<>()).add(key);
      }
    }
  }

  /** Reads straight from the committed tables; valid only under the read or write lock. */
  private class View implements ReadTx {
    @SuppressWarnings("unchecked")
    @Override
    public <T> Optional<T> get(Table table, String key) {
      return Optional.ofNullable((T) tables.get(table).get(key));
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> Collection<T> scan(Table table, String prefix) {
      TreeMap<String, Object> m = tables.get(table);
      Map<String, Object> sub = prefix.isEmpty() ? m : m.subMap(prefix, prefix + Character.MAX_VALUE);
      return (Collection<T>) Collections.unmodifiableCollection(sub.values());
    }

    @Override
    public List<ServiceInstance> instancesOf(String service) {
      Set<String> keys = serviceKeysByName.getOrDefault(service, Set.of());
      List<ServiceInstance> out = new ArrayList<>(keys.size());
      TreeMap<String, Object> m = tables.get(Table.SERVICES);
      keys.forEach(k -> out.add((ServiceInstance) m.get(k)));
      return out;
    }

    @Override
    public Set<String> serviceNames() {
      return Collections.unmodifiableSet(serviceKeysByName.keySet());
    }

    @Override
    public long index(String name) {
      return indexes.getOrDefault(name, 0L);
    }

    @Override
    public long lastIndex() {
      return lastIndex;
    }
  }

  /** A write transaction: staged rows over the committed view. */
  private final class Tx extends View implements WriteTx {
    private final long txIndex;
    private final Map<Table, TreeMap<String, Optional<Object>>> staged = new EnumMap<>(Table.class);
    private final Set<String> touched = new HashSet<>();

    Tx(long txIndex) {
      this.txIndex = txIndex;
    }

    @Override
    public long txIndex() {
      return txIndex;
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> Optional<T> get(Table table, String key) {
      TreeMap<String, Optional<Object>> s = staged.get(table);
      if (s != null && s.containsKey(key)) {
        return (Optional<T>) s.get(key);
      }
      return super.get(table, key);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> Collection<T> scan(Table table, String prefix) {
      TreeMap<String, Optional<Object>> s = staged.get(table);
      if (s == null) {
        return super.scan(table, prefix);
      }
      TreeMap<String, Object> merged = new TreeMap<>();
      TreeMap<String, Object> base = tables.get(table);
      merged.putAll(prefix.isEmpty() ? base : base.subMap(prefix, prefix + Character.MAX_VALUE));
      s.forEach((k, v) -> {
        if (k.startsWith(prefix)) {
          if (v.isPresent()) {
            merged.put(k, v.get());
          } else {
            merged.remove(k);
          }
        }
      });
      return (Collection<T>) merged.values();
    }

    @Override
    public List<ServiceInstance> instancesOf(String service) {
      Map<String, ServiceInstance> byKey = new LinkedHashMap<>();
      super.instancesOf(service).forEach(i -> byKey.put(i.key(), i));
      TreeMap<String, Optional<Object>> s = staged.get(Table.SERVICES);
      if (s != null) {
        s.forEach((k, v) -> {
          byKey.remove(k);
          v.filter(r -> ((ServiceInstance) r).service().equals(service))
              .ifPresent(r -> byKey.put(k, (ServiceInstance) r));
        });
      }
      return new ArrayList<>(byKey.values());
    }

    @Override
    public Set<String> serviceNames() {
      Set<String> names = new TreeSet<>(super.serviceNames());
      TreeMap<String, Optional<Object>> s = staged.get(Table.SERVICES);
      if (s != null) {
        s.values().forEach(v -> v.ifPresent(r -> names.add(((ServiceInstance) r).service())));
        names.removeIf(n -> instancesOf(n).isEmpty());
      }
      return names;
    }

    @Override
    public long index(String name) {
      return touched.contains(name) ? txIndex : super.index(name);
    }

    @Override
    public void put(Table table, String key, Object row) {
      if (!table.rowType().isInstance(row)) {
        throw new IllegalArgumentException(table + " rows are " + table.rowType().getSimpleName());
      }
      staged.computeIfAbsent(table, t -> new TreeMap<>()).put(key, Optional.of(row));
      touched.add(table.indexName());
    }

    @Override
    public void delete(Table table, String key) {
      if (get(table, key).isPresent()) {
        staged.computeIfAbsent(table, t -> new TreeMap<>()).put(key, Optional.empty());
        touched.add(table.indexName());
      }
    }

    @Override
    public void touchIndex(String name) {
      touched.add(name);
    }

    Commit toCommit() {
      List<Commit.Change> changes = new ArrayList<>();
      staged.forEach((t, m) -> m.forEach((k, v) -> changes.add(new Commit.Change(t, k, v.orElse(null)))));
      Map<String, Long> idx = new HashMap<>();
      touched.forEach(n -> idx.put(n, txIndex));
      return new Commit(txIndex, changes, idx);
    }
  }
}
