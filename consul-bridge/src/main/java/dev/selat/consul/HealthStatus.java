package dev.selat.consul;

/** Aggregated check status of one service instance, worst first in {@link #worst}. */
public enum HealthStatus {
  PASSING,
  WARNING,
  CRITICAL,
  /** A {@code _service_maintenance:<id>} or {@code _node_maintenance} check is present. */
  MAINTENANCE;

  static HealthStatus parse(String field, String consulStatus) {
    return switch (consulStatus) {
      case "passing" -> PASSING;
      case "warning" -> WARNING;
      case "critical" -> CRITICAL;
      default -> throw new ConsulAnswerException(field, "unknown check status '" + consulStatus + "'");
    };
  }

  HealthStatus worst(HealthStatus other) {
    return compareTo(other) >= 0 ? this : other;
  }
}
