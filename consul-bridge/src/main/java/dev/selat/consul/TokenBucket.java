package dev.selat.consul;

import java.time.Clock;
import java.time.Duration;

/**
 * Token bucket of one watch: {@link WatchRateLimit#burst()} tokens, refilled continuously at one per
 * {@link WatchRateLimit#refill()}. Not thread-safe: owned by its watch.
 */
final class TokenBucket {
  private final Clock clock;
  private final long capacityNanos;
  private final long refillNanos;
  /** Tokens expressed in nanoseconds of refill time, so that fractions of a token are exact. */
  private long storedNanos;
  private long lastNanos;

  TokenBucket(WatchRateLimit limit, Clock clock) {
    this.clock = clock;
    this.refillNanos = limit.refill().toNanos();
    this.capacityNanos = refillNanos * limit.burst();
    this.storedNanos = capacityNanos;
    this.lastNanos = nowNanos();
  }

  /** Takes one token; returns how long the caller must wait before sending (zero when a token was there). */
  Duration take() {
    long now = nowNanos();
    // A wall clock stepped back (NTP) adds no time; it must not hold the watch back for as long as the step.
    storedNanos = Math.min(capacityNanos, storedNanos + Math.max(0, now - lastNanos));
    lastNanos = now;
    storedNanos -= refillNanos;
    return storedNanos >= 0 ? Duration.ZERO : Duration.ofNanos(-storedNanos);
  }

  private long nowNanos() {
    java.time.Instant i = clock.instant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
