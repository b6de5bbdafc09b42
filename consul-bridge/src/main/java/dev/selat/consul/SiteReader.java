package dev.selat.consul;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The Consul reads a site watcher needs, already parsed into records, and the KV writes of the bridge's users. {@code index} 0 means a plain read; otherwise the
 * call blocks up to {@code wait} for a change past {@code index}. Calls block the calling (virtual) thread; implementations
 * are thread-safe. Failures throw {@link ConsulQueryException}.
 */
interface SiteReader extends AutoCloseable {
  /** /v1/catalog/services: service name to the union of its instances' tags. */
  QueryResult<Map<String, List<String>>> services(long index, Duration wait);

  /** /v1/health/state/any: every check of the site. */
  QueryResult<List<CheckState>> healthState(long index, Duration wait);

  /** /v1/health/service/:name, a plain read: every instance with its aggregated status (empty if none). */
  QueryResult<List<ServiceInstance>> serviceHealth(String service);

  /** /v1/kv/:prefix?recurse: every key under the prefix; empty when Consul answered 404 (no key). */
  QueryResult<List<KvEntry>> kv(String prefix, long index, Duration wait);

  /** GET /v1/kv/:key (one key, consistent read): empty when Consul answered 404. */
  java.util.Optional<KvEntry> kvGet(String key);

  /** PUT /v1/kv/:key, with {@code ?cas=} when given (0: only if absent): whether Consul stored it. */
  boolean kvPut(String key, String value, java.util.OptionalLong cas);

  /** DELETE /v1/kv/:key, with {@code ?cas=} when given: whether Consul deleted it (an absent key counts as deleted). */
  boolean kvDelete(String key, java.util.OptionalLong cas);

  /** PUT /v1/txn with KV operations: all or nothing. */
  TxnResult txn(List<KvOp> ops);

  @Override
  void close();
}
