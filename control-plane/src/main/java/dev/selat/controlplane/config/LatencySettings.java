package dev.selat.controlplane.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the latency matrix is fed.
 *
 * @param probeService the Consul service name the probe agents register under in every site
 * @param staleAfter an estimate older than this is {@code probe-stale}
 * @param staleBudget a cell stays {@code probe-stale} at most this long, then falls back to the link's nominal RTT
 */
public record LatencySettings(String probeService, Duration staleAfter, Duration staleBudget) {
  public static final LatencySettings DEFAULT = new LatencySettings("selat-probe", Duration.ofSeconds(15), Duration.ofMinutes(2));

  public LatencySettings {
    requireNonNull(probeService, "probeService");
    if (probeService.isBlank()) {
      throw new IllegalArgumentException("probeService: must not be blank");
    }
    requireNonNull(staleAfter, "staleAfter");
    requireNonNull(staleBudget, "staleBudget");
    if (staleAfter.isNegative() || staleAfter.isZero()) {
      throw new IllegalArgumentException("staleAfter: must be > 0, was " + staleAfter);
    }
    if (staleBudget.isNegative()) {
      throw new IllegalArgumentException("staleBudget: must not be negative, was " + staleBudget);
    }
  }
}
