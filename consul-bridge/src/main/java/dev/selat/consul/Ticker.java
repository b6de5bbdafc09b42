package dev.selat.consul;

/**
 * A monotonic nanosecond source for durations (rate limits, query latencies, staleness budgets). Only the difference of
 * two readings means anything, as with {@link System#nanoTime()}; a wall clock stepped by NTP or by hand does not move
 * it. {@link java.time.Clock} is kept for timestamps shown to people (when a site went stale).
 *
 * <p>The same kind of time source as latency-probe's {@code dev.selat.probe.Ticker} (a {@code long nanos()}, same
 * semantics): leaves share no code, so each has its own. Tests drive a fake one together with a fake scheduler.
 */
@FunctionalInterface
interface Ticker {
  long nanos();

  static Ticker system() {
    return System::nanoTime;
  }
}
