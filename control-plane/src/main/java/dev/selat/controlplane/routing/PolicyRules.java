package dev.selat.controlplane.routing;

import dev.selat.controlplane.routing.Brain.Candidate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The policy steps of {@link Brain}'s rule book, each on the brain's candidates: residency and excluded links leave
 * sites out, penalized links raise their RTT, the RTT budget holds back sites beyond it, WEIGHTED sets priority 0, a
 * migration moves a share between two sites. Pure, like the brain.
 */
final class PolicyRules {
  private PolicyRules() {}

  /**
   * Residency of every matching policy, then the winner's pinned site (the others out) and its links (excluded: out;
   * penalized: RTT raised).
   */
  static void exclude(List<Candidate> all, String clientSite, Precedence.Resolved policies, PolicyInput input) {
    Optional<Policy> winner = policies.winner();
    for (Candidate c : all) {
      Optional<Policy> forbidding = policies.forbidding(c.id());
      if (forbidding.isPresent()) {
        Policy p = forbidding.get();
        c.out = true;
        c.policyNotes.add("residency: " + p.name() + (p.deniedSites().contains(c.id()) ? " denies it"
            : " allows only " + String.join(", ", p.allowedSites())));
        continue;
      }
      Optional<String> pinned = winner.filter(p -> p.mode() == Policy.Mode.PINNED).flatMap(Policy::pinnedSite);
      if (pinned.isPresent() && !pinned.get().equals(c.id())) {
        c.out = true;
        c.policyNotes.add("pinned to " + pinned.get() + " by " + winner.get().name());
        continue;
      }
      if (winner.isEmpty() || c.id().equals(clientSite)) {
        continue;
      }
      List<String> crossed = input.links(clientSite, c.id());
      for (Policy.AvoidLink avoid : winner.get().avoidLinks()) {
        if (!crossed.contains(avoid.link())) {
          continue;
        }
        if (avoid.penalty().isEmpty()) {
          c.out = true;
          c.policyNotes.add("avoid link " + avoid.link() + ": excluded by " + winner.get().name());
          break;
        }
        c.penalty = c.penalty.plus(avoid.penalty().get());
        c.policyNotes.add("avoid link " + avoid.link() + ": +" + ms(avoid.penalty().get()) + " by "
            + winner.get().name());
      }
    }
  }

  /**
   * The RTT budget: a remote site whose RTT (penalties included) is above it, or unknown, is out; with fail-over it is
   * kept while no site within the budget has a healthy instance.
   */
  static void budget(List<Candidate> usable, String clientSite, Policy.RttBudget budget, String policy) {
    List<Candidate> beyond = usable.stream()
        .filter(c -> !c.id().equals(clientSite) && (c.rtt == null || c.rtt.compareTo(budget.maxRtt()) > 0))
        .toList();
    boolean healthyWithin = usable.stream().anyMatch(c -> !beyond.contains(c) && c.available() > 0);
    for (Candidate c : beyond) {
      String what = "RTT " + (c.rtt == null ? "unknown" : ms(c.rtt)) + ", beyond the budget " + ms(budget.maxRtt())
          + " of " + policy;
      if (!budget.failOver()) {
        c.out = true;
        c.policyNotes.add(what + ": fail closed");
      } else if (healthyWithin) {
        c.out = true;
        c.policyNotes.add(what + ": held back, a site within it is healthy");
      } else {
        c.policyNotes.add(what + ": used, no site within it is healthy");
      }
    }
  }

  /** WEIGHTED: the weighted sites among {@code fresh}, by id, their weights set. */
  static List<Candidate> weighted(List<Candidate> fresh, Policy policy) {
    List<Candidate> out = new ArrayList<>();
    for (Candidate c : fresh.stream().sorted(Comparator.comparing(Candidate::id)).toList()) {
      Integer w = policy.siteWeights().get(c.id());
      if (w != null && w > 0) {
        c.weight = w;
        c.fixedWeight = true;
        c.note = "weight " + w + " by " + policy.name();
        out.add(c);
      }
    }
    return out;
  }

  /**
   * Moves the migration's current percent of {@code from}'s locality weight to {@code to}, which joins {@code from}'s
   * priority (at 100%, {@code from} moves to a priority of its own just after). Returns a line for Explain.
   */
  static Optional<String> migrate(List<List<Candidate>> groups, Migration m, String policy, Instant now) {
    int percent = m.percentAt(now);
    String head = "migration " + m.fromSite() + " -> " + m.toSite() + " (" + m.state().phase() + ", " + percent + "% of "
        + m.targetPercent() + "%)";
    if (percent == 0) {
      return Optional.of(head + ": nothing moved");
    }
    int fromGroup = indexOf(groups, m.fromSite());
    int toGroup = indexOf(groups, m.toSite());
    if (fromGroup < 0 || toGroup < 0) {
      return Optional.of(head + ": not applied, " + (fromGroup < 0 ? m.fromSite() : m.toSite())
          + " is not a usable site here");
    }
    if (toGroup < fromGroup) {
      return Optional.of(head + ": not applied, " + m.toSite() + " is already ahead of " + m.fromSite());
    }
    Candidate from = find(groups.get(fromGroup), m.fromSite());
    Candidate to = find(groups.get(toGroup), m.toSite());
    int moved = (int) Math.round(from.weight * percent / 100.0);
    if (toGroup != fromGroup) {
      groups.get(toGroup).remove(to);
      if (groups.get(toGroup).isEmpty()) {
        groups.remove(toGroup);
      }
      to.weight = 0;
      groups.get(fromGroup).add(to);
    }
    if (percent >= 100 || moved >= from.weight) {
      to.weight += from.weight;
      groups.get(fromGroup).remove(from);
      List<Candidate> alone = new ArrayList<>(List.of(from));
      groups.add(fromGroup + 1, alone);
      from.weight = Brain.FULL_WEIGHT;
    } else {
      moved = Math.max(1, moved);
      to.weight += moved;
      from.weight -= moved;
    }
    to.fixedWeight = true;
    from.fixedWeight = true;
    to.policyNotes.add("migration: takes " + percent + "% of " + m.fromSite() + "'s share by " + policy);
    from.policyNotes.add("migration: " + percent + "% of its share moved to " + m.toSite() + " by " + policy);
    return Optional.of(head + ": applied");
  }

  /**
   * Why the policies leave the service without a healthy endpoint, when they do: a policy matched, it left some site
   * out, and nothing that remains is available.
   */
  static Optional<String> noEndpointsCause(List<Candidate> all, List<LocalityRoute> priorities, Optional<Policy> policy) {
    if (policy.isEmpty() || all.stream().noneMatch(c -> c.out)
        || priorities.stream().anyMatch(l -> l.healthyCount() > 0)) {
      return Optional.empty();
    }
    List<String> parts = new ArrayList<>();
    for (Candidate c : all) {
      long healthy = c.instanceEndpoints.stream().filter(e -> e.health().available()).count();
      parts.add(c.id() + " " + (c.out ? "left out (" + String.join("; ", c.policyNotes) + ")"
          : healthy + "/" + c.instanceEndpoints.size() + " healthy"));
    }
    return Optional.of("no site the policies allow has a healthy instance: " + String.join(", ", parts));
  }

  private static int indexOf(List<List<Candidate>> groups, String site) {
    for (int i = 0; i < groups.size(); i++) {
      if (find(groups.get(i), site) != null) {
        return i;
      }
    }
    return -1;
  }

  private static Candidate find(List<Candidate> group, String site) {
    return group.stream().filter(c -> c.id().equals(site)).findFirst().orElse(null);
  }

  static String ms(Duration d) {
    double ms = d.toNanos() / 1e6;
    return (ms == Math.rint(ms) ? String.valueOf((long) ms) : String.valueOf(ms)) + " ms";
  }
}
