package dev.selat.emulator.state;

import java.util.List;

/**
 * Session writes: destroying a session releases (or, with behavior "delete", deletes) the keys it
 * holds; a session dies when one of its checks goes critical or is removed.
 */
public final class Sessions {
  private Sessions() {}

  public static void create(WriteTx tx, Session s) {
    if (tx.get(Table.NODES, s.node()).isEmpty()) {
      throw new StateException("Missing node registration");
    }
    for (String checkId : s.nodeChecks()) {
      HealthCheck c = tx.<HealthCheck>get(Table.CHECKS, Table.nodeKey(s.node(), checkId))
          .orElseThrow(() -> new StateException("Missing check '" + checkId + "' registration"));
      if (HealthCheck.CRITICAL.equals(c.status())) {
        throw new StateException("Check '" + checkId + "' is in critical state");
      }
    }
    for (String checkId : s.serviceChecks()) {
      HealthCheck c = tx.<HealthCheck>get(Table.CHECKS, Table.nodeKey(s.node(), checkId))
          .orElseThrow(() -> new StateException("Missing check '" + checkId + "' registration"));
      if (HealthCheck.CRITICAL.equals(c.status())) {
        throw new StateException("Check '" + checkId + "' is in critical state");
      }
    }
    tx.put(Table.SESSIONS, s.id(), new Session(s.id(), s.name(), s.node(), s.nodeChecks(), s.serviceChecks(),
        s.lockDelayNanos(), s.behavior(), s.ttl(), tx.txIndex(), tx.txIndex()));
  }

  /** Destroys a session and returns the keys it held (the caller applies the lock delay). */
  public static List<String> destroy(WriteTx tx, String id) {
    Session s = tx.<Session>get(Table.SESSIONS, id).orElse(null);
    if (s == null) {
      return List.of();
    }
    List<String> held = tx.<KvEntry>all(Table.KVS).stream().filter(e -> e.session().equals(id))
        .map(KvEntry::key).toList();
    for (String key : held) {
      KvEntry e = tx.<KvEntry>get(Table.KVS, key).orElseThrow();
      if (Session.DELETE.equals(s.behavior())) {
        Kv.delete(tx, key);
      } else {
        tx.put(Table.KVS, key, new KvEntry(key, e.flags(), e.value(), "", e.lockIndex(), e.createIndex(),
            tx.txIndex()));
      }
    }
    tx.delete(Table.SESSIONS, id);
    return held;
  }

  static void invalidateForCheck(WriteTx tx, HealthCheck c) {
    for (Session s : List.copyOf(tx.<Session>all(Table.SESSIONS))) {
      if (s.node().equals(c.node())
          && (s.nodeChecks().contains(c.checkId()) || s.serviceChecks().contains(c.checkId()))) {
        destroy(tx, s.id());
      }
    }
  }
}
