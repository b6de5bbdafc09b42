package dev.selat.emulator.agent;

import dev.selat.emulator.state.Kv;
import dev.selat.emulator.state.Session;
import dev.selat.emulator.state.Sessions;
import dev.selat.emulator.state.StateStore;
import dev.selat.emulator.state.Table;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The leader's timers: session TTLs (a session dies after twice its TTL without renewal, as Consul
 * grants) and KV tombstone reaping (tombstones older than the tombstone TTL go, which can move a
 * prefix's index backwards). Driven by {@link #tick()} from one scheduler thread; time from the
 * injected clock.
 */
public final class Reaper {
  private final StateStore store;
  private final Clock clock;
  private final LockDelays lockDelays;
  private final Duration tombstoneTtl;
  private final Map<String, Instant> sessionDeadlines = new ConcurrentHashMap<>();
  private final Deque<long[]> tombstoneMarks = new ArrayDeque<>();
  private long lastMarkedIndex;

  public Reaper(StateStore store, Clock clock, LockDelays lockDelays, Duration tombstoneTtl) {
    this.store = store;
    this.clock = clock;
    this.lockDelays = lockDelays;
    this.tombstoneTtl = tombstoneTtl;
  }

  /** Starts or resets a session's TTL timer. */
  public void renew(Session s, Duration ttl) {
    sessionDeadlines.put(s.id(), clock.instant().plus(ttl.multipliedBy(2)));
  }

  /** Restarts the TTL timers of every session (after recovery), as a new Consul leader does. */
  public void rearm() {
    store.read(r -> List.copyOf(r.<Session>all(Table.SESSIONS))).stream().filter(s -> !s.ttl().isEmpty())
        .forEach(s -> renew(s, dev.selat.emulator.http.GoDuration.parse(s.ttl())));
  }

  public void forget(String sessionId) {
    sessionDeadlines.remove(sessionId);
  }

  /** Destroys a session and applies its lock delay to the keys it held. */
  public void destroy(String sessionId) {
    forget(sessionId);
    Session[] s = new Session[1];
    List<String> held = store.write(tx -> {
      s[0] = tx.<Session>get(Table.SESSIONS, sessionId).orElse(null);
      return Sessions.destroy(tx, sessionId);
    });
    if (s[0] != null) {
      lockDelays.delay(held, Duration.ofNanos(s[0].lockDelayNanos()));
    }
  }

  public synchronized void tick() {
    Instant now = clock.instant();
    sessionDeadlines.forEach((id, deadline) -> {
      if (!now.isBefore(deadline)) {
        destroy(id);
      }
    });
    long current = store.lastIndex();
    long nowMs = now.toEpochMilli();
    if (current > lastMarkedIndex) {
      // Tombstones written up to `current` may be reaped once the TTL has passed from now.
      tombstoneMarks.addLast(new long[] {nowMs + tombstoneTtl.toMillis(), current});
      lastMarkedIndex = current;
    }
    long reapUpTo = 0;
    while (!tombstoneMarks.isEmpty() && tombstoneMarks.peekFirst()[0] <= nowMs) {
      reapUpTo = tombstoneMarks.pollFirst()[1];
    }
    if (reapUpTo > 0) {
      long upTo = reapUpTo;
      store.write(tx -> Kv.reapTombstones(tx, upTo));
    }
  }
}
