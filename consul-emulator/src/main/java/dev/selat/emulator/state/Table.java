package dev.selat.emulator.state;

/**
 * The tables of the state store, each with the record type its rows have and the name of its
 * table index (as Consul names them, so {@code X-Consul-Index} is computed from the same places).
 */
public enum Table {
  NODES("nodes", Node.class),
  SERVICES("services", ServiceInstance.class),
  CHECKS("checks", HealthCheck.class),
  KVS("kvs", KvEntry.class),
  TOMBSTONES("tombstones", Tombstone.class),
  SESSIONS("sessions", Session.class),
  COORDINATES("coordinates", Coordinate.class),
  ACL_TOKENS("acl-tokens", AclToken.class),
  ACL_POLICIES("acl-policies", AclPolicy.class),
  /** Singleton facts such as the ACL bootstrap reset index. */
  META("meta", MetaEntry.class);

  private final String indexName;
  private final Class<?> rowType;

  Table(String indexName, Class<?> rowType) {
    this.indexName = indexName;
    this.rowType = rowType;
  }

  public String indexName() {
    return indexName;
  }

  Class<?> rowType() {
    return rowType;
  }

  /** Key of a row owned by a node (services, checks): node and id, sorted by node first. */
  public static String nodeKey(String node, String id) {
    return node + '\u0000' + id;
  }

  /** Prefix of every {@link #nodeKey} of one node. */
  public static String nodePrefix(String node) {
    return node + '\u0000';
  }
}
