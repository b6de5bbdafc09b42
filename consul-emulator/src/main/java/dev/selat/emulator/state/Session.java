package dev.selat.emulator.state;

import java.util.List;

/** A session: {@code ttl} is Consul's duration text ("" when none), lock delay in nanoseconds. */
public record Session(
    String id,
    String name,
    String node,
    List<String> nodeChecks,
    List<String> serviceChecks,
    long lockDelayNanos,
    String behavior,
    String ttl,
    long createIndex,
    long modifyIndex) {
  public static final String RELEASE = "release";
  public static final String DELETE = "delete";

  public Session {
    nodeChecks = nodeChecks == null ? List.of() : List.copyOf(nodeChecks);
    serviceChecks = serviceChecks == null ? List.of() : List.copyOf(serviceChecks);
    name = name == null ? "" : name;
    ttl = ttl == null ? "" : ttl;
  }
}
