package dev.selat.consul;

import java.util.List;

/**
 * Consul's answer to a transaction: committed with one result per operation that returns one (writes, gets and
 * checks; Consul leaves values out of write results), or rolled back with every failed operation's error.
 *
 * @param errors {@code "op <index>: <what>"}, as Consul reports them; empty when committed
 * @param index the Raft index of the commit (X-Consul-Index), 0 when rolled back
 */
public record TxnResult(boolean committed, List<KvEntry> results, List<String> errors, long index) {
  public TxnResult {
    results = List.copyOf(results);
    errors = List.copyOf(errors);
  }
}
