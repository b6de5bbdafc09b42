package dev.selat.controlplane.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/** The links traffic crosses from one site to another, in order, and the sum of their nominal RTTs. */
public record SitePath(List<String> links, Duration nominalRtt) {
  public static final SitePath LOCAL = new SitePath(List.of(), Duration.ZERO);

  public SitePath {
    links = List.copyOf(links);
    requireNonNull(nominalRtt, "nominalRtt");
  }

  /** The path's name as the probe agents spell it: link names joined by '+', or "local". */
  public String label() {
    return links.isEmpty() ? "local" : String.join("+", links);
  }
}
