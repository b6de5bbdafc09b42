package dev.selat.consul;

/** How current a site's catalog is. */
public enum SyncState {
  /** Started, not fully synced once yet. */
  SYNCING,
  /** Every watch answered and every selected service is fetched. */
  SYNCED,
  /** Consul is unreachable or failing; the last-known-good catalog is kept, within the staleness budget. */
  STALE,
  /** The staleness budget (or, before the first sync, the start budget) ran out; the staleness mode applies. */
  EXPIRED
}
