package dev.selat.controlplane.server;

import dev.selat.consul.SyncState;
import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.controlplane.routing.SitePair;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the publish loop tells the operator's view (metrics, the events ring, propagation): called on the routes
 * scheduler, so implementations keep each call short and never block. Every method has a no-op default.
 */
interface RouteListener {
  RouteListener NONE = new RouteListener() {};

  /** Why a service was rebuilt; when several apply, the first in this order wins. */
  enum Cause {
    /** The first routes, once every site synced or spent its start budget. */
    STARTUP,
    /** A site's sync state changed (stale, expired, back). */
    SITE_STATE,
    /** The stored policies changed, or a migration stepped. */
    POLICY,
    /** The RTTs routing holds changed (past hysteresis). */
    LATENCY,
    /** A service's instances or health changed in a catalog. */
    CATALOG;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A site's sync state changed; {@code before} is empty for its first catalog. */
  default void siteState(String site, Optional<SyncState> before, SyncState after) {}

  /**
   * A route's resources changed.
   *
   * @param gateway the route of {@code site}'s gateway rather than of its clients
   * @param before empty when the service had no route for these clients
   * @param after its route now (no priorities when it has none any more)
   */
  default void routeChanged(String site, boolean gateway, Optional<ServiceRoute> before, ServiceRoute after,
      Cause cause) {}

  /** A pair's measured RTT moved past the threshold and hysteresis holds the old one (first tick of the hold). */
  default void hysteresisHeld(SitePair pair, Duration measured, Duration held) {}

  /**
   * A group's resources are about to be published: {@code changeObservedAt} is when the first change it carries was
   * observed (a catalog update, a site state, a latency step), or now for a new group.
   */
  default void publishing(String group, Instant changeObservedAt) {}
}
