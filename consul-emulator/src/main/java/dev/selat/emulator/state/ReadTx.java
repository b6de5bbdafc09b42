package dev.selat.emulator.state;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A consistent read of the state store: no write is half visible. */
public interface ReadTx {
  <T> Optional<T> get(Table table, String key);

  /** Rows whose key starts with {@code prefix}, in key order. */
  <T> Collection<T> scan(Table table, String prefix);

  default <T> Collection<T> all(Table table) {
    return scan(table, "");
  }

  /** Every instance of the named service, across nodes. */
  List<ServiceInstance> instancesOf(String service);

  /** Names of the services that have at least one instance. */
  Set<String> serviceNames();

  /** The value of a named index (a table index or a per-service one); 0 when never written. */
  long index(String name);

  default long maxIndex(String... names) {
    long max = 0;
    for (String n : names) {
      max = Math.max(max, index(n));
    }
    return max;
  }

  /** The raft-like index of the newest committed write. */
  long lastIndex();
}
