package dev.selat.controlplane.policy;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import dev.selat.controlplane.routing.Migration;
import dev.selat.controlplane.routing.Policy;
import dev.selat.controlplane.routing.Tuning;
import dev.selat.proto.v1.AvoidLink;
import dev.selat.proto.v1.MigrationState;
import dev.selat.proto.v1.RoutingMode;
import dev.selat.proto.v1.RoutingPolicy;
import dev.selat.proto.v1.RttBudget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The edge between the API's {@link RoutingPolicy} and the brain's {@link Policy}: every field checked against the
 * configured sites and links, each problem a {@link Violation} naming its field path; a policy without violations
 * parses. Immutable; any thread.
 */
public final class PolicyParser {
  static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  /** Consul's service names (DNS-friendly, as Consul warns otherwise), or such a prefix and '*'. */
  static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  static final Set<String> RETRY_ON = Set.of("5xx", "gateway-error", "reset", "reset-before-request",
      "connect-failure", "envoy-ratelimited", "retriable-4xx", "refused-stream", "retriable-status-codes",
      "retriable-headers", "http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal",
      "resource-exhausted", "unavailable");
  static final Duration MAX_DURATION = Duration.ofDays(365);
  static final int MAX_RETRIES = 10;
  static final int MAX_SITE_WEIGHT = 1_000_000;

  private final Set<String> sites;
  private final Set<String> links;

  /** @param sites the configured site ids; @param links the configured link names */
  public PolicyParser(Set<String> sites, Set<String> links) {
    this.sites = Set.copyOf(requireNonNull(sites, "sites"));
    this.links = Set.copyOf(requireNonNull(links, "links"));
  }

  /** The brain's policy, or every violation. */
  public Policy parse(RoutingPolicy p) throws PolicyInvalidException {
    List<Violation> v = validate(p);
    if (!v.isEmpty()) {
      throw new PolicyInvalidException(v);
    }
    return toPolicy(p);
  }

  /** Every violation, in field order; empty when the policy is good. */
  public List<Violation> validate(RoutingPolicy p) {
    List<Violation> v = new ArrayList<>();
    if (p.getName().isEmpty()) {
      v.add(new Violation("name", "required"));
    } else if (!NAME.matcher(p.getName()).matches()) {
      v.add(new Violation("name", "must be 1 to 63 of [a-z0-9-], starting and ending with a letter or digit, was "
          + quote(p.getName())));
    }
    if (p.getDeleted()) {
      v.add(new Violation("deleted", "set by the server only (a deleted policy's tombstone); delete a policy with Delete"));
    }
    selector(p, v);
    mode(p, v);
    siteList("allowed_sites", p.getAllowedSitesList(), v);
    siteList("denied_sites", p.getDeniedSitesList(), v);
    for (int i = 0; i < p.getDeniedSitesCount(); i++) {
      if (p.getAllowedSitesList().contains(p.getDeniedSites(i))) {
        v.add(new Violation("denied_sites[" + i + "]", quote(p.getDeniedSites(i)) + " is also in allowed_sites"));
      }
    }
    if (!sites.isEmpty() && p.getDeniedSitesList().containsAll(sites)) {
      v.add(new Violation("denied_sites", "denies every configured site (" + sorted(sites)
          + "): nothing could ever be routed"));
    }
    if (p.hasRttBudget()) {
      positive("rtt_budget.max_rtt", p.getRttBudget().hasMaxRtt() ? p.getRttBudget().getMaxRtt() : null, v);
      if (p.getRttBudget().getOnExceeded() == RttBudget.OnExceeded.UNRECOGNIZED) {
        v.add(new Violation("rtt_budget.on_exceeded", "unknown value " + p.getRttBudget().getOnExceededValue()));
      }
    }
    avoidLinks(p, v);
    tuning(p, v);
    if (p.hasMigration()) {
      migration(p, v);
    }
    return v;
  }

  private void selector(RoutingPolicy p, List<Violation> v) {
    if (!p.hasSelector() || p.getSelector().getServicesCount() == 0) {
      v.add(new Violation("selector.services", "at least one service name or pattern is required"));
      return;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < p.getSelector().getServicesCount(); i++) {
      String s = p.getSelector().getServices(i);
      String f = "selector.services[" + i + "]";
      String bare = s.endsWith("*") ? s.substring(0, s.length() - 1) : s;
      if (!(s.equals("*") || SERVICE.matcher(bare).matches())) {
        v.add(new Violation(f, "must be a service name ([A-Za-z0-9_.-], at most 128) or such a prefix followed by *, was "
            + quote(s)));
      } else if (!seen.add(s)) {
        v.add(new Violation(f, quote(s) + " is listed twice"));
      }
    }
    siteList("selector.client_sites", p.getSelector().getClientSitesList(), v);
  }

  private void mode(RoutingPolicy p, List<Violation> v) {
    RoutingMode mode = p.getMode();
    if (mode == RoutingMode.UNRECOGNIZED) {
      v.add(new Violation("mode", "unknown value " + p.getModeValue()));
      return;
    }
    if (mode == RoutingMode.WEIGHTED) {
      if (p.getSiteWeightsCount() == 0) {
        v.add(new Violation("site_weights", "required with mode WEIGHTED: at least one site and its weight"));
      }
      for (Map.Entry<String, Integer> e : new TreeMap<>(p.getSiteWeightsMap()).entrySet()) {
        String f = "site_weights[" + quote(e.getKey()) + "]";
        if (!sites.contains(e.getKey())) {
          v.add(new Violation(f, unknownSite(e.getKey())));
        } else if (e.getValue() < 1 || e.getValue() > MAX_SITE_WEIGHT) {
          v.add(new Violation(f, "must be 1.." + MAX_SITE_WEIGHT + ", was " + Integer.toUnsignedString(e.getValue())));
        } else if (!permits(p, e.getKey())) {
          v.add(new Violation(f, quote(e.getKey()) + " is excluded by this policy's allowed_sites or denied_sites"));
        }
      }
    } else if (p.getSiteWeightsCount() > 0) {
      v.add(new Violation("site_weights", "only with mode WEIGHTED (mode is " + modeName(mode) + ")"));
    }
    if (mode == RoutingMode.PINNED) {
      if (p.getPinnedSite().isEmpty()) {
        v.add(new Violation("pinned_site", "required with mode PINNED"));
      } else if (!sites.contains(p.getPinnedSite())) {
        v.add(new Violation("pinned_site", unknownSite(p.getPinnedSite())));
      } else if (!permits(p, p.getPinnedSite())) {
        v.add(new Violation("pinned_site", quote(p.getPinnedSite())
            + " is excluded by this policy's allowed_sites or denied_sites"));
      }
    } else if (!p.getPinnedSite().isEmpty()) {
      v.add(new Violation("pinned_site", "only with mode PINNED (mode is " + modeName(mode) + ")"));
    }
  }

  private static String modeName(RoutingMode mode) {
    return mode == RoutingMode.ROUTING_MODE_UNSPECIFIED ? "LOCAL_FIRST, the default" : mode.name();
  }

  private void avoidLinks(RoutingPolicy p, List<Violation> v) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < p.getAvoidLinksCount(); i++) {
      AvoidLink a = p.getAvoidLinks(i);
      String f = "avoid_links[" + i + "]";
      if (a.getLink().isEmpty()) {
        v.add(new Violation(f + ".link", "required"));
      } else if (!links.contains(a.getLink())) {
        v.add(new Violation(f + ".link", "unknown link " + quote(a.getLink()) + " (configured: " + sorted(links) + ")"));
      } else if (!seen.add(a.getLink())) {
        v.add(new Violation(f + ".link", quote(a.getLink()) + " is listed twice"));
      }
      switch (a.getAction()) {
        case PENALIZE -> positive(f + ".penalty", a.hasPenalty() ? a.getPenalty() : null, v);
        case ACTION_UNSPECIFIED, EXCLUDE -> {
          if (a.hasPenalty()) {
            v.add(new Violation(f + ".penalty", "only with action PENALIZE"));
          }
        }
        case UNRECOGNIZED -> v.add(new Violation(f + ".action", "unknown value " + a.getActionValue()));
      }
    }
  }

  private void tuning(RoutingPolicy p, List<Violation> v) {
    if (p.hasOutlierDetection()) {
      var o = p.getOutlierDetection();
      if (o.hasConsecutive5Xx() && o.getConsecutive5Xx() < 1) {
        v.add(new Violation("outlier_detection.consecutive_5xx", "must be >= 1, was 0"));
      }
      if (o.hasInterval()) {
        positive("outlier_detection.interval", o.getInterval(), v);
      }
      if (o.hasBaseEjectionTime()) {
        positive("outlier_detection.base_ejection_time", o.getBaseEjectionTime(), v);
      }
      if (o.hasMaxEjectionPercent() && Integer.compareUnsigned(o.getMaxEjectionPercent(), 100) > 0) {
        v.add(new Violation("outlier_detection.max_ejection_percent",
            "must be 0..100, was " + Integer.toUnsignedString(o.getMaxEjectionPercent())));
      }
    }
    if (p.hasRetries()) {
      var r = p.getRetries();
      if (!r.getRetryOn().isEmpty()) {
        String[] tokens = r.getRetryOn().split(",", -1);
        for (String t : tokens) {
          if (!RETRY_ON.contains(t.trim())) {
            v.add(new Violation("retries.retry_on", "unknown condition " + quote(t.trim()) + " (Envoy's: "
                + sorted(RETRY_ON) + ")"));
            break;
          }
        }
      }
      if (r.hasNumRetries() && Integer.compareUnsigned(r.getNumRetries(), MAX_RETRIES) > 0) {
        v.add(new Violation("retries.num_retries", "must be 0.." + MAX_RETRIES + ", was "
            + Integer.toUnsignedString(r.getNumRetries())));
      }
      if (r.hasPerTryTimeout()) {
        positive("retries.per_try_timeout", r.getPerTryTimeout(), v);
      }
    }
    if (p.hasTimeouts()) {
      if (p.getTimeouts().hasConnect()) {
        positive("timeouts.connect", p.getTimeouts().getConnect(), v);
      }
      if (p.getTimeouts().hasRequest()) {
        positive("timeouts.request", p.getTimeouts().getRequest(), v);
      }
    }
    var perTry = p.getRetries().getPerTryTimeout();
    var request = p.getTimeouts().getRequest();
    if (p.getRetries().hasPerTryTimeout() && p.getTimeouts().hasRequest()
        && v.stream().noneMatch(x -> x.field().equals("retries.per_try_timeout") || x.field().equals("timeouts.request"))
        && java(perTry).compareTo(java(request)) > 0) {
      v.add(new Violation("retries.per_try_timeout", "must be at most timeouts.request (" + text(request)
          + "): a try cannot outlast the whole request, was " + text(perTry)));
    }
  }

  private void migration(RoutingPolicy p, List<Violation> v) {
    var m = p.getMigration();
    for (String[] end : new String[][] {{"from_site", m.getFromSite()}, {"to_site", m.getToSite()}}) {
      String f = "migration." + end[0];
      if (end[1].isEmpty()) {
        v.add(new Violation(f, "required"));
      } else if (!sites.contains(end[1])) {
        v.add(new Violation(f, unknownSite(end[1])));
      }
    }
    if (p.getMode() == RoutingMode.PINNED) {
      v.add(new Violation("migration", "not with mode PINNED: only pinned_site is used, so nothing can move"));
    }
    if (sites.contains(m.getFromSite()) && !permits(p, m.getFromSite())) {
      v.add(new Violation("migration.from_site", quote(m.getFromSite())
          + " is excluded by this policy's allowed_sites or denied_sites: nothing goes there to move"));
    }
    if (!m.getFromSite().isEmpty() && m.getFromSite().equals(m.getToSite())) {
      v.add(new Violation("migration.to_site", "must differ from from_site (" + quote(m.getFromSite()) + ")"));
    } else if (sites.contains(m.getToSite()) && !permits(p, m.getToSite())) {
      v.add(new Violation("migration.to_site", quote(m.getToSite())
          + " is excluded by this policy's allowed_sites or denied_sites"));
    }
    int target = m.getTargetPercent();
    if (target < 1 || target > 100) {
      v.add(new Violation("migration.target_percent", "must be 1..100, was " + Integer.toUnsignedString(target)));
    }
    // A bad target is one problem: the step and the base are then held to 100 only, not reported against it too.
    int bound = target >= 1 && target <= 100 ? target : 100;
    int step = m.getStepPercent();
    if (step < 1 || Integer.compareUnsigned(step, bound) > 0) {
      v.add(new Violation("migration.step_percent", "must be 1..target_percent, was " + Integer.toUnsignedString(step)));
    }
    positive("migration.interval", m.hasInterval() ? m.getInterval() : null, v);
    MigrationState s = m.getState();
    switch (s.getPhase()) {
      case UNRECOGNIZED -> v.add(new Violation("migration.state.phase", "unknown value " + s.getPhaseValue()));
      case RUNNING, PAUSED -> {
        if (!s.hasSince()) {
          v.add(new Violation("migration.state.since", "required when " + s.getPhase().name()));
        } else if (!validTimestamp(s.getSince())) {
          v.add(new Violation("migration.state.since", "not a valid timestamp"));
        }
        if (Integer.compareUnsigned(s.getBasePercent(), bound) > 0) {
          v.add(new Violation("migration.state.base_percent", "must be 0..target_percent, was "
              + Integer.toUnsignedString(s.getBasePercent())));
        }
      }
      default -> {
        if (s.getBasePercent() != 0) {
          v.add(new Violation("migration.state.base_percent", "must be 0 when " + (s.getPhase() == MigrationState.Phase
              .PHASE_UNSPECIFIED ? "PENDING (the default)" : s.getPhase().name())));
        }
      }
    }
  }

  private void siteList(String field, List<String> list, List<Violation> v) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String s = list.get(i);
      if (!sites.contains(s)) {
        v.add(new Violation(field + "[" + i + "]", unknownSite(s)));
      } else if (!seen.add(s)) {
        v.add(new Violation(field + "[" + i + "]", quote(s) + " is listed twice"));
      }
    }
  }

  private static boolean permits(RoutingPolicy p, String site) {
    return !p.getDeniedSitesList().contains(site)
        && (p.getAllowedSitesCount() == 0 || p.getAllowedSitesList().contains(site));
  }

  /** A set, valid, positive duration of at most a year; {@code d} null when unset. */
  private static void positive(String field, com.google.protobuf.Duration d, List<Violation> v) {
    if (d == null) {
      v.add(new Violation(field, "required"));
      return;
    }
    if (d.getNanos() <= -1_000_000_000 || d.getNanos() >= 1_000_000_000
        || d.getSeconds() > 0 && d.getNanos() < 0 || d.getSeconds() < 0 && d.getNanos() > 0) {
      v.add(new Violation(field, "not a valid duration (seconds " + d.getSeconds() + ", nanos " + d.getNanos() + ")"));
      return;
    }
    if (d.getSeconds() < 0 || d.getSeconds() == 0 && d.getNanos() <= 0) {
      v.add(new Violation(field, "must be > 0, was " + text(d)));
    } else if (java(d).compareTo(MAX_DURATION) > 0) {
      v.add(new Violation(field, "must be at most 365 days, was " + text(d)));
    }
  }

  private static boolean validTimestamp(Timestamp t) {
    return t.getNanos() >= 0 && t.getNanos() < 1_000_000_000
        && t.getSeconds() >= -62_135_596_800L && t.getSeconds() <= 253_402_300_799L;
  }

  private String unknownSite(String s) {
    return "unknown site " + quote(s) + " (configured: " + sorted(sites) + ")";
  }

  private static String sorted(Set<String> s) {
    return String.join(", ", new java.util.TreeSet<>(s));
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    s.codePoints().limit(80).forEach(c -> {
      if (c == '"' || c == '\\') {
        b.append('\\').appendCodePoint(c);
      } else if (invisible(c)) {
        b.append(c <= 0xffff ? String.format("\\u%04x", c) : String.format("\\u{%x}", c));
      } else {
        b.appendCodePoint(c);
      }
    });
    return b.append(s.codePointCount(0, s.length()) > 80 ? "...\"" : "\"").toString();
  }

  /** Controls, format characters (zero-width, bidi overrides), odd spaces, unassigned: shown escaped, never raw. */
  private static boolean invisible(int c) {
    return switch (Character.getType(c)) {
      case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
           Character.PRIVATE_USE, Character.SURROGATE, Character.UNASSIGNED -> true;
      case Character.SPACE_SEPARATOR -> c != ' ';
      default -> false;
    };
  }

  /** As protobuf JSON writes a Duration ("1.500s"); no arithmetic, so no overflow at the range's ends. */
  private static String text(com.google.protobuf.Duration d) {
    return new java.math.BigDecimal(d.getSeconds()).add(java.math.BigDecimal.valueOf(d.getNanos(), 9))
        .stripTrailingZeros().toPlainString() + "s";
  }

  private static Duration java(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  private static Optional<Duration> optional(boolean has, com.google.protobuf.Duration d) {
    return has ? Optional.of(java(d)) : Optional.empty();
  }

  /** A valid policy in the brain's terms. */
  static Policy toPolicy(RoutingPolicy p) {
    Policy.Mode mode = switch (p.getMode()) {
      case ROUTING_MODE_UNSPECIFIED, LOCAL_FIRST, UNRECOGNIZED -> Policy.Mode.LOCAL_FIRST;
      case LOWEST_LATENCY -> Policy.Mode.LOWEST_LATENCY;
      case WEIGHTED -> Policy.Mode.WEIGHTED;
      case PINNED -> Policy.Mode.PINNED;
    };
    List<Policy.AvoidLink> avoid = p.getAvoidLinksList().stream()
        .map(a -> a.getAction() == AvoidLink.Action.PENALIZE ? Policy.AvoidLink.penalize(a.getLink(), java(a.getPenalty()))
            : Policy.AvoidLink.exclude(a.getLink()))
        .toList();
    var o = p.getOutlierDetection();
    var r = p.getRetries();
    var t = p.getTimeouts();
    Tuning tuning = new Tuning(
        new Tuning.Outlier(o.hasConsecutive5Xx() ? OptionalInt.of(o.getConsecutive5Xx()) : OptionalInt.empty(),
            optional(o.hasInterval(), o.getInterval()), optional(o.hasBaseEjectionTime(), o.getBaseEjectionTime()),
            o.hasMaxEjectionPercent() ? OptionalInt.of(o.getMaxEjectionPercent()) : OptionalInt.empty()),
        new Tuning.Retries(r.getRetryOn().isEmpty() ? Optional.empty() : Optional.of(r.getRetryOn()),
            r.hasNumRetries() ? OptionalInt.of(r.getNumRetries()) : OptionalInt.empty(),
            optional(r.hasPerTryTimeout(), r.getPerTryTimeout())),
        new Tuning.Timeouts(optional(t.hasConnect(), t.getConnect()), optional(t.hasRequest(), t.getRequest())));
    return new Policy(p.getName(), p.getRevision(),
        new Policy.Selector(p.getSelector().getServicesList(), Set.copyOf(p.getSelector().getClientSitesList())),
        mode, p.getSiteWeightsMap(), p.getPinnedSite().isEmpty() ? Optional.empty() : Optional.of(p.getPinnedSite()),
        Set.copyOf(p.getAllowedSitesList()), Set.copyOf(p.getDeniedSitesList()),
        p.hasRttBudget() ? Optional.of(new Policy.RttBudget(java(p.getRttBudget().getMaxRtt()),
            p.getRttBudget().getOnExceeded() == RttBudget.OnExceeded.FAIL_OVER)) : Optional.empty(),
        avoid, tuning, p.hasMigration() ? Optional.of(migration(p.getMigration())) : Optional.empty());
  }

  static Migration migration(dev.selat.proto.v1.Migration m) {
    MigrationState s = m.getState();
    Migration.Phase phase = switch (s.getPhase()) {
      case PHASE_UNSPECIFIED, PENDING, UNRECOGNIZED -> Migration.Phase.PENDING;
      case RUNNING -> Migration.Phase.RUNNING;
      case PAUSED -> Migration.Phase.PAUSED;
      case ROLLED_BACK -> Migration.Phase.ROLLED_BACK;
    };
    Optional<Instant> since = s.hasSince()
        ? Optional.of(Instant.ofEpochSecond(s.getSince().getSeconds(), s.getSince().getNanos())) : Optional.empty();
    return new Migration(m.getFromSite(), m.getToSite(), m.getTargetPercent(), m.getStepPercent(), java(m.getInterval()),
        new Migration.State(phase, s.getBasePercent(), since));
  }

  /** {@code p} with the migration's state replaced by {@code m}'s (after a start, pause, resume or rollback). */
  public static RoutingPolicy withMigrationState(RoutingPolicy p, Migration m) {
    MigrationState.Builder s = MigrationState.newBuilder()
        .setPhase(switch (m.state().phase()) {
          case PENDING -> MigrationState.Phase.PENDING;
          case RUNNING -> MigrationState.Phase.RUNNING;
          case PAUSED -> MigrationState.Phase.PAUSED;
          case ROLLED_BACK -> MigrationState.Phase.ROLLED_BACK;
        })
        .setBasePercent(m.state().basePercent());
    m.state().since().ifPresent(i -> s.setSince(Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano())));
    return p.toBuilder().setMigration(p.getMigration().toBuilder().setState(s)).build();
  }
}
