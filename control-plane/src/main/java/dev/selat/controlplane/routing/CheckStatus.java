package dev.selat.controlplane.routing;

/** An instance's aggregated Consul health, in the brain's own terms (no Consul type crosses into routing). */
public enum CheckStatus {
  PASSING,
  WARNING,
  CRITICAL,
  MAINTENANCE
}
