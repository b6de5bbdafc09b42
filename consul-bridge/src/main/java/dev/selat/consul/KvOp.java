package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One KV operation of a {@code /v1/txn} transaction, in Consul's verbs. {@code index} is the ModifyIndex a
 * {@code cas}, {@code check-index} or {@code delete-cas} compares with (0 for {@code cas}: the key must not exist).
 */
public record KvOp(Verb verb, String key, Optional<String> value, long index) {
  public enum Verb {
    SET("set"), CAS("cas"), GET("get"), CHECK_INDEX("check-index"), CHECK_NOT_EXISTS("check-not-exists"),
    DELETE("delete"), DELETE_CAS("delete-cas");

    final String wire;

    Verb(String wire) {
      this.wire = wire;
    }
  }

  public KvOp {
    requireNonNull(verb, "verb");
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    if (index < 0) {
      throw new IllegalArgumentException("index: must be >= 0, was " + index);
    }
  }

  public static KvOp set(String key, String value) {
    return new KvOp(Verb.SET, key, Optional.of(value), 0);
  }

  public static KvOp cas(String key, String value, long index) {
    return new KvOp(Verb.CAS, key, Optional.of(value), index);
  }

  public static KvOp get(String key) {
    return new KvOp(Verb.GET, key, Optional.empty(), 0);
  }

  public static KvOp checkIndex(String key, long index) {
    return new KvOp(Verb.CHECK_INDEX, key, Optional.empty(), index);
  }

  public static KvOp checkNotExists(String key) {
    return new KvOp(Verb.CHECK_NOT_EXISTS, key, Optional.empty(), 0);
  }

  public static KvOp delete(String key) {
    return new KvOp(Verb.DELETE, key, Optional.empty(), 0);
  }

  public static KvOp deleteCas(String key, long index) {
    return new KvOp(Verb.DELETE_CAS, key, Optional.empty(), index);
  }
}
