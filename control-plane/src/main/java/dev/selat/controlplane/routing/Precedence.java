package dev.selat.controlplane.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which policies apply to a service for the clients of a site. The most specific matching policy wins (the service
 * named and client sites given, then the service named, then a pattern with client sites, then a pattern), ties by the
 * smaller name: its mode (pinned site included), budget, links, migration and tuning apply. The residency of every
 * matching policy applies too (a site must be permitted by all of them), so that a narrower policy never lifts a wider
 * one's regulation.
 */
public final class Precedence {
  private Precedence() {}

  /**
   * @param matching every matching policy, the winner first
   * @param specificity of each, in the same order
   */
  public record Resolved(List<Policy> matching, List<Integer> specificity) {
    public static final Resolved NONE = new Resolved(List.of(), List.of());

    public Resolved {
      matching = List.copyOf(matching);
      specificity = List.copyOf(specificity);
    }

    public Optional<Policy> winner() {
      return matching.isEmpty() ? Optional.empty() : Optional.of(matching.getFirst());
    }

    /** Whether every matching policy's residency lets {@code site} be used; the first that does not, if any. */
    public Optional<Policy> forbidding(String site) {
      return matching.stream().filter(p -> !p.permits(site)).findFirst();
    }

    /** Explain's lines: each policy in order and its part. */
    public List<String> lines() {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < matching.size(); i++) {
        Policy p = matching.get(i);
        out.add(p.name() + " (revision " + p.revision() + ", " + SPECIFICITY[specificity.get(i)] + "): "
            + (i == 0 ? "applied" : "residency only, overridden by " + matching.getFirst().name()));
      }
      return out;
    }
  }

  private static final String[] SPECIFICITY = {
      "by pattern", "by pattern and client site", "by service name", "by service name and client site"};

  public static Resolved resolve(String service, String clientSite, List<Policy> policies) {
    record Match(Policy policy, int specificity) {}
    List<Match> matches = policies.stream()
        .filter(p -> p.selector().matches(service, clientSite))
        .map(p -> new Match(p, p.selector().specificity(service)))
        .sorted(Comparator.comparing((Match m) -> -m.specificity()).thenComparing(m -> m.policy().name()))
        .toList();
    return new Resolved(matches.stream().map(Match::policy).toList(), matches.stream().map(Match::specificity).toList());
  }
}
