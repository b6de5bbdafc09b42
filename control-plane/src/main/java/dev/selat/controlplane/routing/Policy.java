package dev.selat.controlplane.routing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An operator's routing policy as the brain takes it (the {@code proto} RoutingPolicy, parsed and validated at the
 * edge). What each field does is {@link Brain}'s rule book; which of several matching policies applies is
 * {@link Precedence}'s.
 *
 * @param name unique; the tie-breaker of the precedence (the smaller name wins)
 * @param revision the stored revision (shown by Explain)
 * @param selector the services and client sites it applies to
 * @param mode how the sites left after the filters are ordered
 * @param siteWeights WEIGHTED: site -> relative weight (> 0), those sites share priority 0
 * @param pinnedSite PINNED: the only site used
 * @param allowedSites residency: only these (empty: every site)
 * @param deniedSites residency: never these
 * @param rttBudget sites beyond it are not used (or only when nothing within it is healthy)
 * @param avoidLinks links whose crossing is excluded or penalized
 * @param tuning outlier detection, retries and timeouts for the service's clusters and routes
 * @param migration a ramped share of traffic moved from one site to another
 */
public record Policy(String name, long revision, Selector selector, Mode mode, Map<String, Integer> siteWeights,
    Optional<String> pinnedSite, Set<String> allowedSites, Set<String> deniedSites, Optional<RttBudget> rttBudget,
    List<AvoidLink> avoidLinks, Tuning tuning, Optional<Migration> migration) {

  public enum Mode { LOCAL_FIRST, LOWEST_LATENCY, WEIGHTED, PINNED }

  /**
   * @param services exact names, or patterns ending in {@code *}
   * @param clientSites empty: clients in every site
   */
  public record Selector(List<String> services, Set<String> clientSites) {
    public Selector {
      services = List.copyOf(services);
      clientSites = Set.copyOf(new TreeSet<>(clientSites));
    }

    public boolean matches(String service, String clientSite) {
      return (clientSites.isEmpty() || clientSites.contains(clientSite))
          && services.stream().anyMatch(s -> s.equals(service) || isPattern(s) && service.startsWith(prefix(s)));
    }

    /** 3: the service named and client sites given; 2: the service named; 1: a pattern and client sites; 0: a pattern. */
    public int specificity(String service) {
      return (services.contains(service) ? 2 : 0) + (clientSites.isEmpty() ? 0 : 1);
    }

    static boolean isPattern(String s) {
      return s.endsWith("*");
    }

    static String prefix(String pattern) {
      return pattern.substring(0, pattern.length() - 1);
    }
  }

  /** @param failOver false: sites beyond {@code maxRtt} are never used; true: only while none within it is healthy */
  public record RttBudget(Duration maxRtt, boolean failOver) {
    public RttBudget {
      requireNonNull(maxRtt, "maxRtt");
    }
  }

  /** @param penalty empty: sites whose path crosses {@code link} are excluded; else their RTT is raised by it */
  public record AvoidLink(String link, Optional<Duration> penalty) {
    public AvoidLink {
      requireNonNull(link, "link");
      requireNonNull(penalty, "penalty");
    }

    public static AvoidLink exclude(String link) {
      return new AvoidLink(link, Optional.empty());
    }

    public static AvoidLink penalize(String link, Duration by) {
      return new AvoidLink(link, Optional.of(by));
    }
  }

  public Policy {
    requireNonNull(name, "name");
    requireNonNull(selector, "selector");
    requireNonNull(mode, "mode");
    siteWeights = java.util.Collections.unmodifiableMap(new TreeMap<>(siteWeights));
    requireNonNull(pinnedSite, "pinnedSite");
    allowedSites = java.util.Collections.unmodifiableSet(new TreeSet<>(allowedSites));
    deniedSites = java.util.Collections.unmodifiableSet(new TreeSet<>(deniedSites));
    requireNonNull(rttBudget, "rttBudget");
    avoidLinks = List.copyOf(avoidLinks);
    requireNonNull(tuning, "tuning");
    requireNonNull(migration, "migration");
  }

  /** A LOCAL_FIRST policy for {@code services} that changes nothing yet; the withers add to it. */
  public static Policy of(String name, String... services) {
    return new Policy(name, 0, new Selector(List.of(services), Set.of()), Mode.LOCAL_FIRST, Map.of(), Optional.empty(),
        Set.of(), Set.of(), Optional.empty(), List.of(), Tuning.DEFAULT, Optional.empty());
  }

  public Policy forClientSites(String... sites) {
    return new Policy(name, revision, new Selector(selector.services(), Set.of(sites)), mode, siteWeights, pinnedSite,
        allowedSites, deniedSites, rttBudget, avoidLinks, tuning, migration);
  }

  public Policy withMode(Mode m) {
    return new Policy(name, revision, selector, m, siteWeights, pinnedSite, allowedSites, deniedSites, rttBudget,
        avoidLinks, tuning, migration);
  }

  public Policy weighted(Map<String, Integer> weights) {
    return new Policy(name, revision, selector, Mode.WEIGHTED, weights, pinnedSite, allowedSites, deniedSites,
        rttBudget, avoidLinks, tuning, migration);
  }

  public Policy pinned(String site) {
    return new Policy(name, revision, selector, Mode.PINNED, siteWeights, Optional.of(site), allowedSites, deniedSites,
        rttBudget, avoidLinks, tuning, migration);
  }

  public Policy allowing(String... sites) {
    return new Policy(name, revision, selector, mode, siteWeights, pinnedSite, Set.of(sites), deniedSites, rttBudget,
        avoidLinks, tuning, migration);
  }

  public Policy denying(String... sites) {
    return new Policy(name, revision, selector, mode, siteWeights, pinnedSite, allowedSites, Set.of(sites), rttBudget,
        avoidLinks, tuning, migration);
  }

  public Policy withBudget(Duration maxRtt, boolean failOver) {
    return new Policy(name, revision, selector, mode, siteWeights, pinnedSite, allowedSites, deniedSites,
        Optional.of(new RttBudget(maxRtt, failOver)), avoidLinks, tuning, migration);
  }

  public Policy avoiding(AvoidLink... links) {
    return new Policy(name, revision, selector, mode, siteWeights, pinnedSite, allowedSites, deniedSites, rttBudget,
        List.of(links), tuning, migration);
  }

  public Policy withTuning(Tuning t) {
    return new Policy(name, revision, selector, mode, siteWeights, pinnedSite, allowedSites, deniedSites, rttBudget,
        avoidLinks, t, migration);
  }

  public Policy migrating(Migration m) {
    return new Policy(name, revision, selector, mode, siteWeights, pinnedSite, allowedSites, deniedSites, rttBudget,
        avoidLinks, tuning, Optional.of(m));
  }

  public Policy atRevision(long r) {
    return new Policy(name, r, selector, mode, siteWeights, pinnedSite, allowedSites, deniedSites, rttBudget,
        avoidLinks, tuning, migration);
  }

  /** Whether this policy's residency (allowed and denied sites) lets {@code site} be routed to. */
  boolean permits(String site) {
    return !deniedSites.contains(site) && (allowedSites.isEmpty() || allowedSites.contains(site));
  }
}
