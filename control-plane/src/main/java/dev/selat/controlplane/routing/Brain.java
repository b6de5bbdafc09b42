package dev.selat.controlplane.routing;

import dev.selat.controlplane.config.RoutingSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The routing brain: a pure function of (catalogs, held latency, settings, policies, time, client site) to one
 * service's route. No clock, no threads, no proto, no Consul type: identical inputs give equal
 * routes, which the {@code envoy} package turns into byte-identical resources.
 *
 * <p>The rule book, in order:
 * <ol>
 *   <li>Health: passing -> HEALTHY (weight {@code Weights.Passing}); warning -> HEALTHY (weight
 *       {@code Weights.Warning}; a warning weight of 0 takes it out: UNHEALTHY); critical -> UNHEALTHY;
 *       maintenance -> DRAINING.
 *   <li>Addressing: a client in the instance's site gets its address, others its WAN address when it has one.
 *   <li>Policies ({@link Precedence}: the most specific matching policy wins, then the smaller name). Residency: a
 *       site that any matching policy does not permit (denied, not allowed, not the pinned site) is left out, before
 *       anything else, so no failover ever reaches it. Avoided links: a remote site whose path from the client crosses
 *       an excluded link is left out; a penalized link adds its delay to the site's RTT.
 *   <li>A site past its staleness budget: FREEZE serves it as is; DECAY demotes it behind every site
 *       with fresh data; DROP leaves it out unless it holds the only available instances (never an empty
 *       set while a healthy instance is known).
 *   <li>RTT budget: a remote site whose RTT (penalties included) is above it, or unknown, is left out (fail closed),
 *       or, with fail-over, kept only while no site within the budget has a healthy instance.
 *   <li>Order: the client's own site alone at priority 0; remote sites by held RTT (then id); a site
 *       within the tolerance of the first site of the current priority joins it, with a locality weight
 *       inverse to its RTT; an unknown RTT sorts last. LOWEST_LATENCY: the own site is a site at 0 ms, which remote
 *       sites within the tolerance join (equal weights: there is no inverse of 0 ms). WEIGHTED: the weighted sites
 *       share priority 0 with the policy's weights; the others follow as above. A client site that is not configured
 *       gets every site in priority 0 with equal weights.
 *   <li>Migration: the ramp's current percent of the from-site's locality weight goes to the to-site, which joins the
 *       from-site's priority (at 100% the from-site follows in a priority of its own); nothing moves when the to-site
 *       is already ahead.
 *   <li>Spill: Envoy gets every endpoint with its health and does priority spill with the
 *       overprovisioning factor; clients that ignore that factor get the same split computed here
 *       (Envoy's arithmetic) as weighted localities in one priority.
 *   <li>No healthy endpoint left by a policy: the service keeps its cluster with what the policies allow (unhealthy,
 *       or nothing), and the route says why ({@link ServiceRoute#noEndpointsCause}).
 * </ol>
 */
public final class Brain {
  /** The locality weight of the nearest site of a priority; farther sites of the priority get less. */
  static final int FULL_WEIGHT = 1000;
  static final int PER_MILLE = 1000;

  private Brain() {}

  /** The route of {@code service} for clients in {@code clientSite}, without policies. {@code sites} by site id. */
  public static ServiceRoute route(String service, String clientSite, Map<String, SiteInput> sites,
      HeldLatency latency, RoutingSettings settings) {
    return route(service, clientSite, sites, latency, settings, PolicyInput.NONE);
  }

  /** The route of {@code service} for clients in {@code clientSite} under {@code input}'s policies. */
  public static ServiceRoute route(String service, String clientSite, Map<String, SiteInput> sites,
      HeldLatency latency, RoutingSettings settings, PolicyInput input) {
    Precedence.Resolved policies = Precedence.resolve(service, clientSite, input.policies());
    Optional<Policy> policy = policies.winner();
    List<Candidate> all = candidates(service, clientSite, new TreeMap<>(sites));
    boolean knownClient = sites.containsKey(clientSite);
    PolicyRules.exclude(all, clientSite, policies, input);
    List<Candidate> kept = all.stream().filter(c -> !c.out).toList();
    expiredRule(kept);
    List<List<Candidate>> groups = order(kept, clientSite, knownClient, latency, settings.tolerance(), policy);
    for (List<Candidate> group : groups) {
      Duration anchor = group.get(0).rtt;
      for (Candidate c : group) {
        if (!c.fixedWeight) {
          c.weight = knownClient ? inverseWeight(anchor, c.rtt) : FULL_WEIGHT;
        }
      }
    }
    List<String> policyLines = new ArrayList<>(policies.lines());
    policy.flatMap(Policy::migration).ifPresent(m ->
        PolicyRules.migrate(groups, m, policy.get().name(), input.now()).ifPresent(policyLines::add));

    List<LocalityRoute> priorities = new ArrayList<>();
    for (int p = 0; p < groups.size(); p++) {
      for (Candidate c : groups.get(p)) {
        c.priority = p;
        priorities.add(new LocalityRoute(c.site.site(), c.site.region(), p, c.weight, c.endpoints));
      }
    }
    Map<String, Integer> shares = spill(priorities, settings.overprovisioningFactor());

    List<LocalityRoute> computed = new ArrayList<>();
    for (LocalityRoute l : priorities) {
      int share = shares.getOrDefault(l.site(), 0);
      if (share > 0) {
        computed.add(new LocalityRoute(l.site(), l.region(), 0, share,
            l.endpoints().stream().filter(e -> e.health().available()).toList()));
      }
    }
    if (computed.isEmpty()) {
      // Nothing available anywhere: the same localities, flat, so a client still sees what is known.
      priorities.forEach(l -> computed.add(new LocalityRoute(l.site(), l.region(), 0, 1, l.endpoints())));
    }

    List<SiteReason> reasons = new ArrayList<>();
    all.stream()
        .sorted(Comparator.comparing((Candidate c) -> c.priority < 0 ? Integer.MAX_VALUE : c.priority)
            .thenComparing(c -> c.site.site()))
        .forEach(c -> reasons.add(c.reason(shares.getOrDefault(c.site.site(), 0))));
    boolean http2 = all.stream().flatMap(c -> c.instances.stream())
        .map(i -> i.meta().getOrDefault("protocol", ""))
        .anyMatch(p -> p.equalsIgnoreCase("grpc") || p.equalsIgnoreCase("http2"));
    Optional<String> noEndpoints = PolicyRules.noEndpointsCause(all, priorities, policy);
    return new ServiceRoute(service, clientSite, http2, priorities, computed, shares, reasons, policyLines,
        noEndpoints, policy.map(Policy::tuning).orElse(Tuning.DEFAULT));
  }

  /** The sites that have instances of the service. */
  private static List<Candidate> candidates(String service, String clientSite, Map<String, SiteInput> sites) {
    List<Candidate> all = new ArrayList<>();
    for (SiteInput site : sites.values()) {
      List<Instance> instances = site.instances(service);
      if (!instances.isEmpty()) {
        List<RoutedEndpoint> endpoints = endpoints(site.site(), clientSite, instances);
        Optional<HostPort> gateway = site.site().equals(clientSite) ? Optional.empty()
            : site.gateway().flatMap(g -> g.addressFor(clientSite));
        Candidate c = new Candidate(site, instances, endpoints,
            gateway.map(address -> List.of(throughGateway(site.site(), address, endpoints))).orElse(endpoints));
        c.gateway = gateway;
        all.add(c);
      }
    }
    return all;
  }

  /** The staleness modes of expired sites, among the sites the policies left. */
  private static void expiredRule(List<Candidate> all) {
    boolean availableOutsideDropped = all.stream()
        .anyMatch(c -> !(c.site.expired() && c.site.expiredMode() == ExpiredMode.DROP) && c.available() > 0);
    for (Candidate c : all) {
      if (!c.site.expired()) {
        continue;
      }
      switch (c.site.expiredMode()) {
        case FREEZE -> c.note = "expired: frozen at last-known-good";
        case DECAY -> {
          c.demoted = true;
          c.note = "expired: demoted behind fresh sites";
        }
        case DROP -> {
          if (availableOutsideDropped) {
            c.dropped = true;
            c.note = "expired: dropped";
          } else {
            c.note = "expired: kept, it holds the only available instances";
          }
        }
      }
    }
  }

  private static List<RoutedEndpoint> endpoints(String ownSite, String clientSite, List<Instance> instances) {
    List<RoutedEndpoint> out = new ArrayList<>(instances.size());
    for (Instance i : instances) {
      Health health = switch (i.status()) {
        case PASSING -> Health.HEALTHY;
        case WARNING -> i.warningWeight() == 0 ? Health.UNHEALTHY : Health.HEALTHY;
        case CRITICAL -> Health.UNHEALTHY;
        case MAINTENANCE -> Health.DRAINING;
      };
      int weight = i.status() == CheckStatus.WARNING ? Math.max(1, i.warningWeight()) : i.passingWeight();
      out.add(new RoutedEndpoint(i.id(), i.addressFor(ownSite, clientSite), weight, health));
    }
    return out;
  }

  /**
   * A remote site's instances as one endpoint, its gateway: weighted by how many instances are available behind it,
   * healthy while any is (draining when the rest drain, else unhealthy).
   */
  private static RoutedEndpoint throughGateway(String site, HostPort address, List<RoutedEndpoint> instances) {
    int available = (int) instances.stream().filter(e -> e.health().available()).count();
    Health health = available > 0 ? Health.HEALTHY
        : instances.stream().anyMatch(e -> e.health() == Health.DRAINING) ? Health.DRAINING : Health.UNHEALTHY;
    return new RoutedEndpoint("gateway-" + site, address, Math.max(1, available), health);
  }

  /**
   * Candidates grouped into priorities: the RTTs (with the policy's penalties and budget), then the policy's mode: the
   * own site, then remote sites by RTT within the tolerance, then demoted ones.
   */
  private static List<List<Candidate>> order(List<Candidate> candidates, String clientSite, boolean knownClient,
      HeldLatency latency, Duration tolerance, Optional<Policy> policy) {
    List<Candidate> usable = new ArrayList<>();
    for (Candidate c : candidates) {
      if (c.dropped) {
        continue;
      }
      if (c.site.site().equals(clientSite)) {
        c.rtt = Duration.ZERO;
      } else {
        Optional<HeldLatency.Held> held = latency.held(clientSite, c.site.site());
        c.rtt = held.map(HeldLatency.Held::rtt).map(rtt -> rtt.plus(c.penalty)).orElse(null);
        c.source = held.map(HeldLatency.Held::source);
        c.rttAge = held.map(h -> h.latest().age()).orElse(Duration.ZERO);
      }
      usable.add(c);
    }
    policy.flatMap(Policy::rttBudget).ifPresent(b -> PolicyRules.budget(usable, clientSite, b, policy.get().name()));
    List<Candidate> fresh = new ArrayList<>();
    List<Candidate> demoted = new ArrayList<>();
    for (Candidate c : usable) {
      if (!c.out) {
        (c.demoted ? demoted : fresh).add(c);
      }
    }
    List<List<Candidate>> groups = new ArrayList<>();
    if (!knownClient) {
      fresh.forEach(c -> c.note = c.note != null ? c.note : "unknown client site: all sites equal");
      if (!fresh.isEmpty()) {
        groups.add(fresh);
      }
      if (!demoted.isEmpty()) {
        groups.add(demoted);
      }
      return groups;
    }
    Policy.Mode mode = policy.map(Policy::mode).orElse(Policy.Mode.LOCAL_FIRST);
    if (mode == Policy.Mode.WEIGHTED) {
      List<Candidate> weighted = PolicyRules.weighted(fresh, policy.get());
      if (!weighted.isEmpty()) {
        groups.add(new ArrayList<>(weighted));
        fresh = fresh.stream().filter(c -> !weighted.contains(c)).toList();
      }
    }
    boolean ownAlone = mode != Policy.Mode.LOWEST_LATENCY;
    groupByRtt(fresh, clientSite, tolerance, ownAlone, groups);
    groupByRtt(demoted, clientSite, tolerance, ownAlone, groups);
    return groups;
  }

  /** {@code ownAlone}: the client's own site has a priority of its own (LOCAL_FIRST); else it is a site at 0 ms. */
  private static void groupByRtt(List<Candidate> sites, String clientSite, Duration tolerance, boolean ownAlone,
      List<List<Candidate>> groups) {
    Comparator<Candidate> byRtt = Comparator
        .comparing((Candidate c) -> c.site.site().equals(clientSite) ? 0 : 1)
        .thenComparing(c -> c.rtt, Comparator.nullsLast(Comparator.naturalOrder()))
        .thenComparing(c -> c.site.site());
    List<Candidate> sorted = sites.stream().sorted(byRtt).toList();
    List<Candidate> current = null;
    for (Candidate c : sorted) {
      boolean own = c.site.site().equals(clientSite);
      if (current != null && !(ownAlone && (own || isOwn(current.get(0), clientSite)))
          && joins(current.get(0), c, tolerance)) {
        current.add(c);
        c.note = c.note != null ? c.note : "within tolerance of " + current.get(0).site.site();
        continue;
      }
      current = new ArrayList<>();
      current.add(c);
      groups.add(current);
      if (c.note == null) {
        c.note = own ? "local" : c.rtt == null ? "no RTT known: last" : "next by RTT";
      }
    }
  }

  private static boolean isOwn(Candidate c, String clientSite) {
    return c.site.site().equals(clientSite);
  }

  private static boolean joins(Candidate anchor, Candidate c, Duration tolerance) {
    if (anchor.rtt == null || c.rtt == null) {
      return anchor.rtt == null && c.rtt == null;
    }
    return c.rtt.minus(anchor.rtt).compareTo(tolerance) <= 0;
  }

  /** {@link #FULL_WEIGHT} scaled by anchor/rtt: the nearest of a priority gets the full weight. */
  private static int inverseWeight(Duration anchor, Duration rtt) {
    if (anchor == null || rtt == null || anchor.isZero() || rtt.isZero()) {
      return FULL_WEIGHT;
    }
    return (int) Math.max(1, Math.round((double) FULL_WEIGHT * anchor.toNanos() / rtt.toNanos()));
  }

  /**
   * Envoy's split of requests across priorities and localities, in 1/1000 per site: each priority's
   * health is min(100, factor x healthy / total) (integer percent, as Envoy computes it), loads are
   * normalised when the total is below 100, and within a priority each locality gets its weight times
   * its own availability (min(1, factor x healthy / total)).
   */
  static Map<String, Integer> spill(List<LocalityRoute> localities, int overprovisioningFactor) {
    int maxPriority = localities.stream().mapToInt(LocalityRoute::priority).max().orElse(-1);
    long[] health = new long[maxPriority + 1];
    for (int p = 0; p <= maxPriority; p++) {
      int priority = p;
      long total = localities.stream().filter(l -> l.priority() == priority).mapToLong(l -> l.endpoints().size()).sum();
      long healthy = localities.stream().filter(l -> l.priority() == priority).mapToLong(LocalityRoute::healthyCount).sum();
      health[p] = total == 0 ? 0 : Math.min(100, overprovisioningFactor * healthy / total);
    }
    long normalizedTotal = Math.min(100, java.util.Arrays.stream(health).sum());
    Map<String, Integer> shares = new TreeMap<>();
    localities.forEach(l -> shares.put(l.site(), 0));
    if (normalizedTotal == 0) {
      return shares;
    }
    long[] load = new long[health.length];
    long remaining = 100;
    for (int p = 0; p < health.length; p++) {
      load[p] = Math.min(remaining, health[p] * 100 / normalizedTotal);
      remaining -= load[p];
    }
    if (remaining > 0) {
      for (int p = 0; p < health.length; p++) {
        if (health[p] > 0) {
          load[p] += remaining;
          break;
        }
      }
    }
    Map<String, Double> exact = new LinkedHashMap<>();
    for (int p = 0; p < health.length; p++) {
      int priority = p;
      List<LocalityRoute> inPriority = localities.stream().filter(l -> l.priority() == priority).toList();
      double weightSum = 0;
      double[] effective = new double[inPriority.size()];
      for (int i = 0; i < inPriority.size(); i++) {
        LocalityRoute l = inPriority.get(i);
        double availability = l.endpoints().isEmpty() ? 0
            : Math.min(1.0, overprovisioningFactor / 100.0 * l.healthyCount() / l.endpoints().size());
        effective[i] = l.weight() * availability;
        weightSum += effective[i];
      }
      for (int i = 0; i < inPriority.size(); i++) {
        double share = weightSum == 0 ? 0 : load[p] * 10.0 * effective[i] / weightSum;
        exact.put(inPriority.get(i).site(), share);
      }
    }
    return largestRemainder(exact, shares);
  }

  /** Rounds shares to whole 1/1000s summing to 1000 (largest remainder; ties by site id). */
  private static Map<String, Integer> largestRemainder(Map<String, Double> exact, Map<String, Integer> out) {
    int assigned = 0;
    for (Map.Entry<String, Double> e : exact.entrySet()) {
      int floor = (int) Math.floor(e.getValue() + 1e-9);
      out.put(e.getKey(), floor);
      assigned += floor;
    }
    List<Map.Entry<String, Double>> byRemainder = new ArrayList<>(exact.entrySet());
    byRemainder.sort(Comparator
        .comparing((Map.Entry<String, Double> e) -> -(e.getValue() - Math.floor(e.getValue() + 1e-9)))
        .thenComparing(Map.Entry::getKey));
    double total = exact.values().stream().mapToDouble(Double::doubleValue).sum();
    int target = (int) Math.round(total);
    for (int i = 0; assigned < target && i < byRemainder.size(); i++) {
      out.merge(byRemainder.get(i).getKey(), 1, Integer::sum);
      assigned++;
    }
    return out;
  }

  /** A site with instances of the service, and what the rules decided for it. */
  static final class Candidate {
    final SiteInput site;
    final List<Instance> instances;
    /** What the clients get: the instances, or the site's gateway standing for them. */
    final List<RoutedEndpoint> endpoints;
    /** One per instance, for the reasons. */
    final List<RoutedEndpoint> instanceEndpoints;
    Optional<HostPort> gateway = Optional.empty();
    boolean demoted;
    boolean dropped;
    Duration rtt;
    Optional<LatencySource> source = Optional.empty();
    Duration rttAge = Duration.ZERO;
    int priority = -1;
    int weight;
    /** The weight was set by a policy (WEIGHTED, a migration), not by RTT. */
    boolean fixedWeight;
    /** Left out by a policy (residency, an excluded link, the RTT budget). */
    boolean out;
    /** Added to the held RTT by the policy's penalized links. */
    Duration penalty = Duration.ZERO;
    /** What the policies did to this site, in order; before {@link #note}. */
    final List<String> policyNotes = new ArrayList<>();
    String note;

    Candidate(SiteInput site, List<Instance> instances, List<RoutedEndpoint> instanceEndpoints,
        List<RoutedEndpoint> endpoints) {
      this.site = site;
      this.instances = instances;
      this.instanceEndpoints = instanceEndpoints;
      this.endpoints = endpoints;
    }

    int available() {
      return (int) endpoints.stream().filter(e -> e.health().available()).count();
    }

    SiteReason reason(int share) {
      return new SiteReason(site.site(), priority < 0 ? Optional.empty() : Optional.of(priority), weight, share,
          rtt == null ? Duration.ZERO : rtt, source, rttAge,
          (int) instanceEndpoints.stream().filter(e -> e.health().available()).count(), instanceEndpoints.size(),
          site.dataAge(), notes());
    }

    String id() {
      return site.site();
    }

    private String notes() {
      List<String> all = new ArrayList<>(policyNotes);
      if (note != null) {
        all.add(note);
      }
      gateway.ifPresent(g -> all.add("through its gateway at " + g));
      return all.isEmpty() ? null : String.join("; ", all);
    }
  }
}
