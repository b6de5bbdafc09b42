package dev.selat.consul;

import java.time.Duration;

/**
 * The token bucket of each blocking-query watch: {@code burst} tokens, one more every {@code refill}. A quiet watch (whose
 * queries block) never waits; under constant churn a watch sends {@code burst} queries at once, then one per {@code refill}.
 */
public record WatchRateLimit(int burst, Duration refill) {
  /**
   * Burst 5, then one query a second under churn: a service that flaps still reaches the routes within a second, and
   * one whose index moves without end (a hot loop) costs its Consul one query a second. Consul's own agent cache
   * bursts 2 and does not limit the rate by default.
   */
  public static final WatchRateLimit DEFAULT = new WatchRateLimit(5, Duration.ofSeconds(1));

  public WatchRateLimit {
    if (burst < 1) {
      throw new ConsulConfigException("rateLimit.burst", "must be >= 1, was " + burst);
    }
    if (refill == null || refill.isNegative() || refill.isZero()) {
      throw new ConsulConfigException("rateLimit.refill", "must be a positive duration, was " + refill);
    }
  }
}
