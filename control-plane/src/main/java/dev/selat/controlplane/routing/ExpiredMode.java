package dev.selat.controlplane.routing;

/** What happens to a site whose catalog is older than its staleness budget. */
public enum ExpiredMode {
  /** Keep serving its last-known-good catalog as if fresh. */
  FREEZE,
  /** Keep it, demoted behind every site with fresh data: it takes traffic only when they cannot. */
  DECAY,
  /** Remove it, unless it holds the only healthy instances of a service (static stability). */
  DROP
}
