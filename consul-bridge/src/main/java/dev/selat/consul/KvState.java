package dev.selat.consul;

/** What a KV watch knows of its prefix. */
public enum KvState {
  /** No answer from Consul yet (the first read is pending, or failing): nothing is known of the keys. */
  NOT_READ_YET,
  /** Consul answered that no key is under the prefix (404 on {@code ?recurse}). */
  EMPTY,
  /** Consul answered with at least one key. */
  PRESENT
}
