package dev.selat.controlplane.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The shortest path between every pair of sites over the configured links, computed once: least summed nominal RTT
 * (Dijkstra), ties broken by the lexicographic order of the link-name sequence, so that the choice is deterministic.
 * Parallel links between the same two sites are allowed. A pair with no path has none ({@link #path} throws).
 */
public final class SiteGraph {
  private static final Comparator<List<String>> LEXICOGRAPHIC = (a, b) -> {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  };
  private static final Comparator<SitePath> ORDER =
      Comparator.comparing(SitePath::nominalRtt).thenComparing(SitePath::links, LEXICOGRAPHIC);

  private final Map<String, Map<String, SitePath>> paths;

  private SiteGraph(Map<String, Map<String, SitePath>> paths) {
    this.paths = paths;
  }

  /** Computes all pairs; every link's ends must be among {@code siteIds}. */
  public static SiteGraph of(List<String> siteIds, List<LinkSpec> links) {
    Map<String, List<LinkSpec>> adjacent = new HashMap<>();
    siteIds.forEach(id -> adjacent.put(id, new ArrayList<>()));
    for (LinkSpec l : links) {
      if (!adjacent.containsKey(l.siteA()) || !adjacent.containsKey(l.siteB())) {
        throw new IllegalArgumentException("link " + l.name() + ": joins an unknown site");
      }
      adjacent.get(l.siteA()).add(l);
      adjacent.get(l.siteB()).add(l);
    }
    Map<String, Map<String, SitePath>> all = new LinkedHashMap<>();
    for (String from : siteIds) {
      all.put(from, Map.copyOf(shortestFrom(from, adjacent)));
    }
    return new SiteGraph(Map.copyOf(all));
  }

  private static Map<String, SitePath> shortestFrom(String from, Map<String, List<LinkSpec>> adjacent) {
    Map<String, SitePath> best = new HashMap<>();
    record Candidate(String site, SitePath path) {}
    PriorityQueue<Candidate> queue = new PriorityQueue<>(Comparator.comparing(Candidate::path, ORDER));
    queue.add(new Candidate(from, SitePath.LOCAL));
    while (!queue.isEmpty()) {
      Candidate c = queue.poll();
      if (best.containsKey(c.site())) {
        continue; // settled by a better (or equal and lexicographically smaller) path
      }
      best.put(c.site(), c.path());
      for (LinkSpec link : adjacent.get(c.site())) {
        String next = link.otherEnd(c.site());
        if (!best.containsKey(next)) {
          List<String> names = new ArrayList<>(c.path().links());
          names.add(link.name());
          queue.add(new Candidate(next, new SitePath(names, c.path().nominalRtt().plus(link.nominalRtt()))));
        }
      }
    }
    return best;
  }

  /** The shortest path; from a site to itself, {@link SitePath#LOCAL}. */
  public SitePath path(String fromSite, String toSite) {
    Map<String, SitePath> row = paths.get(fromSite);
    if (row == null) {
      throw new IllegalArgumentException("unknown site \"" + fromSite + "\"");
    }
    if (!paths.containsKey(toSite)) {
      throw new IllegalArgumentException("unknown site \"" + toSite + "\"");
    }
    SitePath p = row.get(toSite);
    if (p == null) {
      throw new IllegalArgumentException("no path of links from \"" + fromSite + "\" to \"" + toSite + "\"");
    }
    return p;
  }

  /** Whether some path of links joins the two sites (both known). */
  public boolean connected(String fromSite, String toSite) {
    return paths.getOrDefault(fromSite, Map.of()).containsKey(toSite);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SiteGraph g && g.paths.equals(paths);
  }

  @Override
  public int hashCode() {
    return paths.hashCode();
  }

  @Override
  public String toString() {
    return "SiteGraph" + paths;
  }
}
