package dev.selat.emulator.state;

import java.util.Map;

/** A catalog node. */
public record Node(
    String id,
    String name,
    String address,
    String datacenter,
    Map<String, String> taggedAddresses,
    Map<String, String> meta,
    long createIndex,
    long modifyIndex) {
  public Node {
    taggedAddresses = taggedAddresses == null ? Map.of() : Map.copyOf(taggedAddresses);
    meta = meta == null ? Map.of() : Map.copyOf(meta);
    id = id == null ? "" : id;
    address = address == null ? "" : address;
  }

  public Node withIndexes(long create, long modify) {
    return new Node(id, name, address, datacenter, taggedAddresses, meta, create, modify);
  }

  /** True when the registrable content (everything but the indexes) is equal. */
  public boolean sameAs(Node o) {
    return o != null && withIndexes(0, 0).equals(o.withIndexes(0, 0));
  }
}
