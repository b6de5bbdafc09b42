package dev.selat.consul.emulator.state;

import java.util.List;

/** An ACL token; policies by ID, service identities by service name. {@code createTime} is RFC 3339 text. */
public record AclToken(
    String accessorId,
    String secretId,
    String description,
    List<String> policyIds,
    List<String> serviceIdentities,
    boolean local,
    String createTime,
    long createIndex,
    long modifyIndex) {
  public AclToken {
    policyIds = policyIds == null ? List.of() : List.copyOf(policyIds);
    serviceIdentities = serviceIdentities == null ? List.of() : List.copyOf(serviceIdentities);
    description = description == null ? "" : description;
  }
}
