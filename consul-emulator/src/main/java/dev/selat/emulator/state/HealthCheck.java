package dev.selat.emulator.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A health check of a node (serviceId empty) or of one service instance. {@code definition}
 * holds what the check runs (TTL, HTTP, TCP, interval, timeout...) in Consul's field names.
 */
public record HealthCheck(
    String node,
    String checkId,
    String name,
    String status,
    String notes,
    String output,
    String serviceId,
    String serviceName,
    List<String> serviceTags,
    String type,
    JsonNode definition,
    long createIndex,
    long modifyIndex) {
  public static final String PASSING = "passing";
  public static final String WARNING = "warning";
  public static final String CRITICAL = "critical";
  public static final String MAINTENANCE = "maintenance";

  public HealthCheck {
    serviceTags = serviceTags == null ? List.of() : List.copyOf(serviceTags);
    notes = notes == null ? "" : notes;
    output = output == null ? "" : output;
    serviceId = serviceId == null ? "" : serviceId;
    serviceName = serviceName == null ? "" : serviceName;
    type = type == null ? "" : type;
  }

  public String key() {
    return Table.nodeKey(node, checkId);
  }

  public HealthCheck withIndexes(long create, long modify) {
    return new HealthCheck(node, checkId, name, status, notes, output, serviceId, serviceName,
        serviceTags, type, definition, create, modify);
  }

  public HealthCheck withStatus(String newStatus, String newOutput) {
    return new HealthCheck(node, checkId, name, newStatus, notes, newOutput, serviceId, serviceName,
        serviceTags, type, definition, createIndex, modifyIndex);
  }

  public boolean sameAs(HealthCheck o) {
    return o != null && withIndexes(0, 0).equals(o.withIndexes(0, 0));
  }
}
