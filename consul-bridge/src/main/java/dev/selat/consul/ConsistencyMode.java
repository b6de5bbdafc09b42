package dev.selat.consul;

/** Consul read consistency: DEFAULT asks the leader; STALE lets any server answer (X-Consul-LastContact says how old). */
public enum ConsistencyMode {
  DEFAULT,
  STALE
}
