package dev.selat.emulator.state;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * KV operations with Consul's semantics (agent/consul/state/kvs.go): deletes leave tombstones so
 * a prefix's index never goes backwards until they are reaped; CAS with index 0 means "only if
 * absent"; acquire/release move the lock index and session.
 */
public final class Kv {
  private Kv() {}

  /** kvsMaxIndex: the newest write to the KV table or its graveyard. */
  public static long tableIndex(ReadTx r) {
    return r.maxIndex("kvs", "tombstones");
  }

  public static Optional<KvEntry> get(ReadTx r, String key) {
    return r.get(Table.KVS, key);
  }

  public static Collection<KvEntry> list(ReadTx r, String prefix) {
    return r.scan(Table.KVS, prefix);
  }

  /** Index of a prefix listing: its newest entry or tombstone; the table index for prefix "". */
  public static long prefixIndex(ReadTx r, String prefix) {
    if (prefix.isEmpty()) {
      return tableIndex(r);
    }
    long max = 0;
    for (KvEntry e : list(r, prefix)) {
      max = Math.max(max, e.modifyIndex());
    }
    for (Tombstone t : r.<Tombstone>scan(Table.TOMBSTONES, prefix)) {
      max = Math.max(max, t.index());
    }
    return max == 0 ? tableIndex(r) : max;
  }

  /** Keys under a prefix, rolled up at the first separator after the prefix (as ?keys&separator). */
  public static List<String> keys(ReadTx r, String prefix, String separator) {
    TreeSet<String> out = new TreeSet<>();
    for (KvEntry e : list(r, prefix)) {
      String k = e.key();
      if (!separator.isEmpty()) {
        int at = k.indexOf(separator, prefix.length());
        if (at >= 0) {
          k = k.substring(0, at + separator.length());
        }
      }
      out.add(k);
    }
    return new ArrayList<>(out);
  }

  public static void set(WriteTx tx, String key, byte[] value, long flags) {
    Optional<KvEntry> old = get(tx, key);
    tx.put(Table.KVS, key, new KvEntry(key, flags, value, old.map(KvEntry::session).orElse(""),
        old.map(KvEntry::lockIndex).orElse(0L), old.map(KvEntry::createIndex).orElse(tx.txIndex()), tx.txIndex()));
  }

  /** Set only when the entry's ModifyIndex is {@code cas} (0: only when absent). */
  public static boolean setCas(WriteTx tx, String key, byte[] value, long flags, long cas) {
    Optional<KvEntry> old = get(tx, key);
    if (cas == 0 ? old.isPresent() : old.isEmpty() || old.get().modifyIndex() != cas) {
      return false;
    }
    set(tx, key, value, flags);
    return true;
  }

  public static void delete(WriteTx tx, String key) {
    if (get(tx, key).isPresent()) {
      tx.delete(Table.KVS, key);
      tx.put(Table.TOMBSTONES, key, new Tombstone(key, tx.txIndex()));
    }
  }

  /** Delete when ModifyIndex is {@code cas}; a missing key counts as deleted (true). */
  public static boolean deleteCas(WriteTx tx, String key, long cas) {
    Optional<KvEntry> old = get(tx, key);
    if (old.isEmpty()) {
      return true;
    }
    if (old.get().modifyIndex() != cas) {
      return false;
    }
    delete(tx, key);
    return true;
  }

  public static void deleteTree(WriteTx tx, String prefix) {
    for (KvEntry e : List.copyOf(list(tx, prefix))) {
      delete(tx, e.key());
    }
  }

  /** Acquire for a session: false when another session holds the key. */
  public static boolean lock(WriteTx tx, String key, byte[] value, long flags, String session) {
    if (tx.get(Table.SESSIONS, session).isEmpty()) {
      throw new StateException("invalid session \"" + session + "\"");
    }
    Optional<KvEntry> old = get(tx, key);
    if (old.isPresent() && !old.get().session().isEmpty() && !old.get().session().equals(session)) {
      return false;
    }
    long lockIndex = old.map(KvEntry::lockIndex).orElse(0L);
    if (old.isEmpty() || !old.get().session().equals(session)) {
      lockIndex++;
    }
    tx.put(Table.KVS, key, new KvEntry(key, flags, value, session, lockIndex,
        old.map(KvEntry::createIndex).orElse(tx.txIndex()), tx.txIndex()));
    return true;
  }

  /** Release by the holding session: false when it does not hold the key. */
  public static boolean unlock(WriteTx tx, String key, byte[] value, long flags, String session) {
    Optional<KvEntry> old = get(tx, key);
    if (old.isEmpty() || !old.get().session().equals(session)) {
      return false;
    }
    tx.put(Table.KVS, key, new KvEntry(key, flags, value, "", old.get().lockIndex(), old.get().createIndex(),
        tx.txIndex()));
    return true;
  }

  /** Removes tombstones at or below {@code index} (Consul's tombstone GC). */
  public static int reapTombstones(WriteTx tx, long index) {
    int reaped = 0;
    for (Tombstone t : List.copyOf(tx.<Tombstone>all(Table.TOMBSTONES))) {
      if (t.index() <= index) {
        tx.delete(Table.TOMBSTONES, t.key());
        reaped++;
      }
    }
    return reaped;
  }
}
