package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** One key of a KV prefix read, with its decoded UTF-8 value (absent for a null value) and its ModifyIndex. */
public record KvEntry(String key, Optional<String> value, long modifyIndex) {
  public KvEntry {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
  }
}
