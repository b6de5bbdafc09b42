package dev.selat.controlplane.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Routing defaults.
 *
 * @param tolerance remote sites whose path RTTs lie within this of each other share a priority
 * @param hysteresisThreshold an RTT change reorders sites only when it exceeds this...
 * @param hysteresisDwell ...for at least this long
 * @param hysteresisSettle a smaller move, past half the threshold and on one side, is adopted after this long (so a
 *     held RTT never stays off the measurement by up to the threshold for good; at least the dwell, by default
 *     {@link #SETTLE_PER_DWELL} times it)
 * @param overprovisioningFactor Envoy's overprovisioning factor in percent (>= 100; Envoy's default 140)
 * @param debounce changes are coalesced for this long after the last one...
 * @param maxDelay ...but a change is never published later than this after it happened
 */
public record RoutingSettings(
    Duration tolerance,
    Duration hysteresisThreshold,
    Duration hysteresisDwell,
    Duration hysteresisSettle,
    int overprovisioningFactor,
    Duration debounce,
    Duration maxDelay) {

  /** The settle time when none is configured, in dwell times. */
  public static final int SETTLE_PER_DWELL = 4;

  public static final RoutingSettings DEFAULT = new RoutingSettings(
      Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofSeconds(30),
      Duration.ofMinutes(2), 140, Duration.ofMillis(100), Duration.ofSeconds(1));

  public RoutingSettings {
    notNegative("tolerance", tolerance);
    notNegative("hysteresisThreshold", hysteresisThreshold);
    notNegative("hysteresisDwell", hysteresisDwell);
    requireNonNull(hysteresisSettle, "hysteresisSettle");
    if (hysteresisSettle.compareTo(hysteresisDwell) < 0) {
      throw new IllegalArgumentException(
          "hysteresisSettle: must be >= hysteresisDwell (" + hysteresisDwell + "), was " + hysteresisSettle);
    }
    if (overprovisioningFactor < 100) {
      throw new IllegalArgumentException("overprovisioningFactor: must be >= 100, was " + overprovisioningFactor);
    }
    notNegative("debounce", debounce);
    notNegative("maxDelay", maxDelay);
    if (maxDelay.isZero() || maxDelay.compareTo(debounce) < 0) {
      throw new IllegalArgumentException("maxDelay: must be > 0 and >= debounce (" + debounce + "), was " + maxDelay);
    }
  }

  static void notNegative(String field, Duration d) {
    requireNonNull(d, field);
    if (d.isNegative()) {
      throw new IllegalArgumentException(field + ": must not be negative, was " + d);
    }
  }
}
