package dev.selat.controlplane.routing;

/** What the brain tells a proxy about an endpoint; the names are Envoy's {@code HealthStatus}. */
public enum Health {
  HEALTHY,
  /** Used by Envoy only when too few hosts are healthy; set by policy only (warning maps to HEALTHY by default). */
  DEGRADED,
  UNHEALTHY,
  DRAINING;

  /** Whether the endpoint takes traffic in the first pass (as Envoy counts healthy hosts for priority load). */
  boolean available() {
    return this == HEALTHY;
  }
}
