package dev.selat.controlplane.routing;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * One instance of a service in one site, as the brain sees it.
 *
 * @param id the instance id (Consul's service id), unique within its site
 * @param address where clients in the instance's own site connect
 * @param wan where clients in other sites connect, when the instance has one (Consul's
 *     {@code TaggedAddresses.wan}, the {@code translate_wan_addrs} convention); else {@code address}
 * @param status the aggregated Consul check status
 * @param passingWeight Consul's {@code Weights.Passing} (>= 1)
 * @param warningWeight Consul's {@code Weights.Warning} (>= 0; 0 takes a warning instance out of rotation)
 * @param meta the instance's meta ({@code protocol} = {@code grpc}/{@code http2} makes the cluster HTTP/2)
 */
public record Instance(String id, HostPort address, Optional<HostPort> wan, CheckStatus status,
    int passingWeight, int warningWeight, Map<String, String> meta) {
  public Instance {
    requireNonNull(id, "id");
    requireNonNull(address, "address");
    requireNonNull(wan, "wan");
    requireNonNull(status, "status");
    if (passingWeight < 1) {
      throw new IllegalArgumentException("passingWeight: must be >= 1, was " + passingWeight);
    }
    if (warningWeight < 0) {
      throw new IllegalArgumentException("warningWeight: must be >= 0, was " + warningWeight);
    }
    meta = Map.copyOf(meta);
  }

  /** An instance with Consul's default weights (passing 1, warning 1), no WAN address and no meta. */
  public static Instance of(String id, String host, int port, CheckStatus status) {
    return new Instance(id, new HostPort(host, port), Optional.empty(), status, 1, 1, Map.of());
  }

  /** The address a client in {@code clientSite} uses, this instance living in {@code ownSite}. */
  HostPort addressFor(String ownSite, String clientSite) {
    return ownSite.equals(clientSite) ? address : wan.orElse(address);
  }
}
