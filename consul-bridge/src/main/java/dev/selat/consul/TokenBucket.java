package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Token bucket of one watch: {@link WatchRateLimit#burst()} tokens, refilled continuously at one per
 * {@link WatchRateLimit#refill()}, measured on a monotonic {@link Ticker} (a wall clock stepped forward must not hand
 * out tokens, nor one stepped back hold the watch). Not thread-safe: owned by its watch.
 */
final class TokenBucket {
  private final Ticker ticker;
  private final long capacityNanos;
  private final long refillNanos;
  /** Tokens expressed in nanoseconds of refill time, so that fractions of a token are exact. */
  private long storedNanos;
  private long lastNanos;

  TokenBucket(WatchRateLimit limit, Ticker ticker) {
    this.ticker = requireNonNull(ticker, "ticker");
    this.refillNanos = limit.refill().toNanos();
    this.capacityNanos = refillNanos * limit.burst();
    this.storedNanos = capacityNanos;
    this.lastNanos = ticker.nanos();
  }

  /** Takes one token; returns how long the caller must wait before sending (zero when a token was there). */
  Duration take() {
    long now = ticker.nanos();
    storedNanos = Math.min(capacityNanos, storedNanos + (now - lastNanos));
    lastNanos = now;
    storedNanos -= refillNanos;
    return storedNanos >= 0 ? Duration.ZERO : Duration.ofNanos(-storedNanos);
  }
}
