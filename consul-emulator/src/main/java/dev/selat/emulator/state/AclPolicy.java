package dev.selat.emulator.state;

import java.util.List;

/** An ACL policy; {@code rules} is the HCL or JSON text as submitted. */
public record AclPolicy(
    String id, String name, String description, String rules, List<String> datacenters, long createIndex,
    long modifyIndex) {
  public AclPolicy {
    datacenters = datacenters == null ? List.of() : List.copyOf(datacenters);
    description = description == null ? "" : description;
    rules = rules == null ? "" : rules;
  }
}
