package dev.selat.controlplane.routing;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * A site's gateway as clients in other sites reach it: for them, the site's locality is this one address, weighted by
 * the healthy instances behind it and healthy while any is.
 *
 * @param byClientSite client site id -> the gateway's address as reached from there
 * @param fallback the address for a client site not in {@code byClientSite}
 */
public record Gateway(Map<String, HostPort> byClientSite, Optional<HostPort> fallback) {
  public Gateway {
    byClientSite = Map.copyOf(byClientSite);
    requireNonNull(fallback, "fallback");
  }

  Optional<HostPort> addressFor(String clientSite) {
    return Optional.ofNullable(byClientSite.get(clientSite)).or(() -> fallback);
  }
}
