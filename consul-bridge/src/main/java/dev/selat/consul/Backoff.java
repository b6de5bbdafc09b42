package dev.selat.consul;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): after the n-th
 * consecutive failure wait a uniform random time in [0, min(cap, base * 2^(n-1))]. Not thread-safe: owned by its watch.
 */
final class Backoff {
  private final long baseNanos;
  private final long capNanos;
  private final RandomGenerator random;
  private int failures;

  Backoff(Duration base, Duration cap, RandomGenerator random) {
    this.baseNanos = base.toNanos();
    this.capNanos = cap.toNanos();
    this.random = random;
  }

  /** Counts a failure and returns the delay before the next attempt. */
  Duration nextDelay() {
    failures = Math.min(failures + 1, 62);
    long ceiling = baseNanos << Math.min(failures - 1, Long.numberOfLeadingZeros(baseNanos) - 1);
    ceiling = Math.min(capNanos, ceiling);
    return Duration.ofNanos(random.nextLong(ceiling + 1));
  }

  void reset() {
    failures = 0;
  }

  int failures() {
    return failures;
  }
}
