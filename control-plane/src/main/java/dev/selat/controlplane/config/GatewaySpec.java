package dev.selat.controlplane.config;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * A site's gateway: clients in other sites reach the site's instances through it (Consul mesh gateways, Istio east-west
 * gateways), so only the gateway needs to be reachable across the links. Each client site may reach it at its own
 * address (one per link direction: a hub reached over the leased line and over the VPN has two).
 *
 * @param address the gateway as reached from any site not in {@code from}
 * @param from client site id -> the gateway as reached from that site
 */
public record GatewaySpec(Optional<Endpoint> address, Map<String, Endpoint> from) {
  public GatewaySpec {
    requireNonNull(address, "address");
    from = Map.copyOf(from);
  }

  /** The gateway's address for clients in {@code clientSite}, if it has one for them. */
  public Optional<Endpoint> addressFor(String clientSite) {
    return Optional.ofNullable(from.get(clientSite)).or(() -> address);
  }
}
