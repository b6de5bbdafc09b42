package dev.selat.consul;

import java.time.Duration;

/**
 * The token bucket of each blocking-query watch: {@code burst} tokens, one more every {@code refill}. A quiet watch (whose
 * queries block) never waits; under constant churn a watch sends {@code burst} queries at once, then one per {@code refill}.
 */
public record WatchRateLimit(int burst, Duration refill) {
  /** Burst 2, then one query per 15 s under churn. */
  public static final WatchRateLimit DEFAULT = new WatchRateLimit(2, Duration.ofSeconds(15));

  public WatchRateLimit {
    if (burst < 1) {
      throw new ConsulConfigException("rateLimit.burst", "must be >= 1, was " + burst);
    }
    if (refill == null || refill.isNegative() || refill.isZero()) {
      throw new ConsulConfigException("rateLimit.refill", "must be a positive duration, was " + refill);
    }
  }
}
