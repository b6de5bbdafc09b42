package dev.selat.controlplane.routing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The smoothed RTT from one site to another, with its source and age.
 *
 * @param rtt smoothed path RTT (>= 0)
 * @param source probe, probe-stale or nominal
 * @param age how old the measurement is (zero for nominal)
 */
public record LatencyCell(Duration rtt, LatencySource source, Duration age) {
  public LatencyCell {
    requireNonNull(rtt, "rtt");
    requireNonNull(source, "source");
    requireNonNull(age, "age");
    if (rtt.isNegative()) {
      throw new IllegalArgumentException("rtt: must not be negative, was " + rtt);
    }
  }

  public static LatencyCell probe(Duration rtt) {
    return new LatencyCell(rtt, LatencySource.PROBE, Duration.ZERO);
  }

  public static LatencyCell nominal(Duration rtt) {
    return new LatencyCell(rtt, LatencySource.NOMINAL, Duration.ZERO);
  }
}
