package dev.selat.controlplane.routing;

import static java.util.Objects.requireNonNull;

/** A directed pair of sites: traffic from {@code from}'s clients to {@code to}'s instances. */
public record SitePair(String from, String to) implements Comparable<SitePair> {
  public SitePair {
    requireNonNull(from, "from");
    requireNonNull(to, "to");
  }

  @Override
  public int compareTo(SitePair o) {
    int c = from.compareTo(o.from);
    return c != 0 ? c : to.compareTo(o.to);
  }

  @Override
  public String toString() {
    return from + "->" + to;
  }
}
