package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** One key under a watched prefix that was written ({@code value} present) or deleted. */
public record KvChange(String key, Optional<String> value, long modifyIndex, boolean deleted) {
  public KvChange {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    if (deleted && value.isPresent()) {
      throw new IllegalArgumentException("value: a deleted key has no value");
    }
  }
}
