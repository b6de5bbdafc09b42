package dev.selat.xds;

import java.time.Clock;
import java.util.Optional;

/**
 * Admits new streams under two limits: a rate of new streams per second (a token bucket with a
 * one-second burst, and room for at least one stream) and a number of concurrent streams.
 * Thread-safe.
 */
final class StreamAdmission {
  private final Clock clock;
  private final double streamsPerSecond;
  /** A rate below one per second still admits one stream per refill. */
  private final double burst;
  private final int maxConcurrent;
  private double tokens;
  private long lastRefillMillis;
  private int open;

  StreamAdmission(Clock clock, double streamsPerSecond, int maxConcurrent) {
    if (streamsPerSecond <= 0) {
      throw new IllegalArgumentException("maxNewStreamsPerSecond: must be > 0, got " + streamsPerSecond);
    }
    if (maxConcurrent <= 0) {
      throw new IllegalArgumentException("maxConcurrentStreams: must be > 0, got " + maxConcurrent);
    }
    this.clock = clock;
    this.streamsPerSecond = streamsPerSecond;
    this.maxConcurrent = maxConcurrent;
    this.burst = Math.max(1, streamsPerSecond);
    this.tokens = burst;
    this.lastRefillMillis = clock.millis();
  }

  /** Takes a slot, or returns why not; a taken slot is given back with {@link #release()}. */
  synchronized Optional<String> tryAdmit() {
    long now = clock.millis();
    // A wall clock stepped back (NTP) adds no time; it must not drain the bucket for as long as the step.
    long elapsed = Math.max(0, now - lastRefillMillis);
    tokens = Math.min(burst, tokens + elapsed * streamsPerSecond / 1000.0);
    lastRefillMillis = now;
    if (open >= maxConcurrent) {
      return Optional.of("concurrent");
    }
    if (tokens < 1) {
      return Optional.of("rate");
    }
    tokens -= 1;
    open++;
    return Optional.empty();
  }

  synchronized void release() {
    open--;
  }

  /** Slots taken and not yet released. */
  synchronized int open() {
    return open;
  }
}
