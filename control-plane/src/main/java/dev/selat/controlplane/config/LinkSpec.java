package dev.selat.controlplane.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** A network link between two distinct sites with its nominal (configured, not measured) round-trip time. */
public record LinkSpec(String name, String siteA, String siteB, Duration nominalRtt) {
  public LinkSpec {
    requireNonNull(name, "name");
    requireNonNull(siteA, "siteA");
    requireNonNull(siteB, "siteB");
    requireNonNull(nominalRtt, "nominalRtt");
    if (siteA.equals(siteB)) {
      throw new IllegalArgumentException("link " + name + ": joins site " + siteA + " to itself");
    }
    if (nominalRtt.isNegative() || nominalRtt.isZero()) {
      throw new IllegalArgumentException("link " + name + ": nominalRtt must be > 0, was " + nominalRtt);
    }
  }

  /** Whether this link has {@code site} at one of its ends. */
  public boolean joins(String site) {
    return siteA.equals(site) || siteB.equals(site);
  }

  /** The site at the other end from {@code site}, which must be one of its ends. */
  public String otherEnd(String site) {
    if (siteA.equals(site)) {
      return siteB;
    }
    if (siteB.equals(site)) {
      return siteA;
    }
    throw new IllegalArgumentException("link " + name + " does not join " + site);
  }
}
