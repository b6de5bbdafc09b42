package dev.selat.controlplane.routing;

/** Where a latency matrix cell's RTT comes from. */
public enum LatencySource {
  /** A probe agent's current estimate. */
  PROBE,
  /** A probe agent's last estimate, older than fresh but within its budget. */
  PROBE_STALE,
  /** The configured links' nominal RTT along the path (no usable probe). */
  NOMINAL;

  /** The name operators see in {@code /debug/latency} and Explain. */
  public String label() {
    return switch (this) {
      case PROBE -> "probe";
      case PROBE_STALE -> "probe-stale";
      case NOMINAL -> "nominal";
    };
  }
}
