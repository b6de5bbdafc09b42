package dev.selat.consul.emulator.state;

import java.util.List;

/** An ACL token; policies by ID. {@code createTime} is RFC 3339 text. */
public record AclToken(
    String accessorId,
    String secretId,
    String description,
    List<String> policyIds,
    boolean local,
    String createTime,
    long createIndex,
    long modifyIndex) {
  public AclToken {
    policyIds = policyIds == null ? List.of() : List.copyOf(policyIds);
    description = description == null ? "" : description;
  }
}
