package dev.selat.controlplane.routing;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The route of one service for the clients of one site.
 *
 * @param service the service name
 * @param clientSite the site of the clients
 * @param http2 whether the instances speak HTTP/2 (gRPC): their meta {@code protocol} is grpc or http2
 * @param priorities for clients that spill by priority and overprovisioning factor (Envoy): one
 *     locality per site, every endpoint with its health, so Envoy computes the spill itself
 * @param computedSpill for clients that ignore the overprovisioning factor (grpc-java, gRFCs A27/A56):
 *     the same split computed here, as weighted localities in priority 0, available endpoints only
 * @param shares the expected share of requests per site, in 1/1000 (equal for both kinds of client)
 * @param reasons one per candidate site, in priority order, then those left out
 * @param policies the matching policies in precedence order and what each did (Explain's lines)
 * @param noEndpointsCause set when the policies leave no healthy endpoint: why (the service keeps its cluster, with
 *     what the policies allow, so that its clients fail fast rather than find no route)
 * @param tuning the winning policy's outlier detection, retries and timeouts
 */
public record ServiceRoute(String service, String clientSite, boolean http2, List<LocalityRoute> priorities,
    List<LocalityRoute> computedSpill, Map<String, Integer> shares, List<SiteReason> reasons, List<String> policies,
    Optional<String> noEndpointsCause, Tuning tuning) {
  public ServiceRoute {
    requireNonNull(service, "service");
    requireNonNull(clientSite, "clientSite");
    priorities = List.copyOf(priorities);
    computedSpill = List.copyOf(computedSpill);
    shares = Map.copyOf(shares);
    reasons = List.copyOf(reasons);
    policies = List.copyOf(policies);
    requireNonNull(noEndpointsCause, "noEndpointsCause");
    requireNonNull(tuning, "tuning");
  }

  /** Whether the clients get the service at all: some site has instances, or a policy withholds them (kept, empty). */
  public boolean routed() {
    return !priorities.isEmpty() || noEndpointsCause.isPresent();
  }

  /**
   * Whether the xDS resources made from this route and from {@code other} are equal: the same service, protocol and
   * localities for both kinds of client. The reasons and shares, with their ages, do not count.
   */
  public boolean sameResources(ServiceRoute other) {
    return service.equals(other.service) && clientSite.equals(other.clientSite) && http2 == other.http2
        && priorities.equals(other.priorities) && computedSpill.equals(other.computedSpill)
        && tuning.equals(other.tuning);
  }
}
