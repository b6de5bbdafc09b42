package dev.selat.emulator.state;

import java.util.Arrays;
import java.util.Objects;

/** A KV entry; {@code value} is never modified after construction. */
public record KvEntry(
    String key, long flags, byte[] value, String session, long lockIndex, long createIndex, long modifyIndex) {
  public KvEntry {
    Objects.requireNonNull(key, "key");
    session = session == null ? "" : session;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KvEntry e && key.equals(e.key) && flags == e.flags && Arrays.equals(value, e.value)
        && session.equals(e.session) && lockIndex == e.lockIndex && createIndex == e.createIndex
        && modifyIndex == e.modifyIndex;
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, flags, Arrays.hashCode(value), session, lockIndex, createIndex, modifyIndex);
  }
}
