package dev.selat.emulator.agent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Consul's lock-delay: after a session is invalidated, the keys it held cannot be acquired by
 * another session until the delay passes. In memory only, as in Consul (not part of raft state).
 */
public final class LockDelays {
  private final Clock clock;
  private final ConcurrentHashMap<String, Instant> until = new ConcurrentHashMap<>();

  public LockDelays(Clock clock) {
    this.clock = clock;
  }

  public void delay(Collection<String> keys, Duration delay) {
    if (delay.isZero() || delay.isNegative()) {
      return;
    }
    Instant end = clock.instant().plus(delay);
    keys.forEach(k -> until.merge(k, end, (a, b) -> a.isAfter(b) ? a : b));
  }

  public boolean blocked(String key) {
    Instant end = until.get(key);
    if (end == null) {
      return false;
    }
    if (!clock.instant().isBefore(end)) {
      until.remove(key, end);
      return false;
    }
    return true;
  }
}
