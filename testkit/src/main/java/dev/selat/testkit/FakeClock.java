package dev.selat.testkit;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A UTC clock that moves only when a test advances it, for logic driven by an injected {@link Clock}. Thread-safe:
 * a test thread may advance it while the code under test reads it.
 */
public final class FakeClock extends Clock {
  private volatile Instant now;

  /** Starts at 2026-01-01T00:00:00Z. */
  public FakeClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  public FakeClock(Instant start) {
    this.now = requireNonNull(start, "start");
  }

  /** Moves the clock forward by {@code d} (which must not be negative). */
  public void advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("d: must not be negative, was " + d);
    }
    now = now.plus(d);
  }

  /** Sets the clock to {@code instant}, backwards too: a wall clock stepped by NTP or by hand. */
  public void set(Instant instant) {
    now = requireNonNull(instant, "instant");
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /** The instant does not depend on the zone, so the same clock serves every zone. */
  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
