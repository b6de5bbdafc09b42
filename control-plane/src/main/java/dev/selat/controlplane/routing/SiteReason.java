package dev.selat.controlplane.routing;

import java.time.Duration;
import java.util.Optional;

/**
 * Why one candidate site got its place: the inputs and the outcome, for {@code /debug/routes} and Explain.
 *
 * @param site the candidate site
 * @param priority its priority, or empty when it was left out
 * @param weight its locality weight within the priority
 * @param sharePerMille the share of requests it is expected to get, in 1/1000 (Envoy's spill arithmetic)
 * @param rtt the held RTT from the client site (zero for the client's own site)
 * @param source the source of that RTT, empty for the own site
 * @param rttAge the age of the measurement behind the RTT
 * @param healthy instances taking traffic
 * @param total instances known
 * @param dataAge age of the site's catalog
 * @param note a human reason ("local", "within tolerance of alibaba-sg", "expired: dropped", ...)
 */
public record SiteReason(String site, Optional<Integer> priority, int weight, int sharePerMille, Duration rtt,
    Optional<LatencySource> source, Duration rttAge, int healthy, int total, Duration dataAge, String note) {}
