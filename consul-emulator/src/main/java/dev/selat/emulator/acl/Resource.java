package dev.selat.emulator.acl;

/** ACL resources: named ones match by exact name or longest prefix; the rest are single rules. */
public enum Resource {
  SERVICE("service", true),
  NODE("node", true),
  KEY("key", true),
  SESSION("session", true),
  AGENT("agent", true),
  EVENT("event", true),
  QUERY("query", true),
  OPERATOR("operator", false),
  ACL("acl", false),
  KEYRING("keyring", false),
  MESH("mesh", false);

  private final String word;
  private final boolean named;

  Resource(String word, boolean named) {
    this.word = word;
    this.named = named;
  }

  public String word() {
    return word;
  }

  public boolean named() {
    return named;
  }
}
