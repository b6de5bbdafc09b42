package dev.selat.emulator.state;

import java.time.Instant;
import java.util.List;

/**
 * An ACL token; policies by ID, service identities by service name, node identities by node and
 * datacenter. {@code createTime} and {@code expirationTime} are RFC 3339 text; {@code expirationTime}
 * is null for a token that never expires.
 */
public record AclToken(
    String accessorId,
    String secretId,
    String description,
    List<String> policyIds,
    List<String> serviceIdentities,
    List<NodeIdentity> nodeIdentities,
    boolean local,
    String createTime,
    String expirationTime,
    long createIndex,
    long modifyIndex) {
  /** A node identity: node:write on the node and read on every service, in that datacenter only. */
  public record NodeIdentity(String nodeName, String datacenter) {}

  public AclToken {
    policyIds = policyIds == null ? List.of() : List.copyOf(policyIds);
    serviceIdentities = serviceIdentities == null ? List.of() : List.copyOf(serviceIdentities);
    nodeIdentities = nodeIdentities == null ? List.of() : List.copyOf(nodeIdentities);
    description = description == null ? "" : description;
  }

  /** A token without node identities or expiry (bootstrap, anonymous, initial management). */
  public AclToken(String accessorId, String secretId, String description, List<String> policyIds,
      List<String> serviceIdentities, boolean local, String createTime, long createIndex, long modifyIndex) {
    this(accessorId, secretId, description, policyIds, serviceIdentities, List.of(), local, createTime, null,
        createIndex, modifyIndex);
  }

  /** Consul treats an expired token as absent (reads, lists, resolution) until its reaper deletes it. */
  public boolean expiredAt(Instant now) {
    return expirationTime != null && !now.isBefore(Instant.parse(expirationTime));
  }
}
