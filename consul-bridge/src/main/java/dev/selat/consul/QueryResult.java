package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A successful Consul read: the parsed value, X-Consul-Index, and with stale reads X-Consul-KnownLeader and
 * X-Consul-LastContact (zero when absent).
 */
record QueryResult<T>(T value, long index, boolean knownLeader, Duration lastContact) {
  QueryResult {
    requireNonNull(value, "value");
    requireNonNull(lastContact, "lastContact");
  }
}
