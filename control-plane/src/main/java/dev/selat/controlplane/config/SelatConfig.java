package dev.selat.controlplane.config;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The control plane's whole configuration, validated (see {@link ConfigLoader}). Immutable; {@link #toString} never shows
 * a token. The path between two sites is derived from the links once, here ({@link #path}).
 *
 * @param graph all-pairs shortest paths over {@code links}; the shorter constructors compute it
 * @param admin the admin HTTP server's token, if any
 */
public record SelatConfig(
    List<SiteSpec> sites,
    List<LinkSpec> links,
    RoutingSettings routing,
    LatencySettings latency,
    Ports ports,
    SiteGraph graph,
    AdminSettings admin) {

  public SelatConfig {
    sites = List.copyOf(sites);
    links = List.copyOf(links);
    requireNonNull(routing, "routing");
    requireNonNull(latency, "latency");
    requireNonNull(ports, "ports");
    requireNonNull(graph, "graph");
    requireNonNull(admin, "admin");
    if (sites.isEmpty()) {
      throw new IllegalArgumentException("sites: at least one site is required");
    }
    Set<String> ids = new HashSet<>();
    for (SiteSpec s : sites) {
      if (!ids.add(s.id())) {
        throw new IllegalArgumentException("sites: duplicate id " + s.id());
      }
    }
    Set<String> names = new HashSet<>();
    for (LinkSpec l : links) {
      if (!names.add(l.name())) {
        throw new IllegalArgumentException("links: duplicate name " + l.name());
      }
    }
    for (SiteSpec s : sites) {
      if (!graph.connected(sites.get(0).id(), s.id())) {
        throw new IllegalArgumentException("sites: " + s.id() + " is not connected to the other sites by any link");
      }
    }
  }

  public SelatConfig(List<SiteSpec> sites, List<LinkSpec> links, RoutingSettings routing, LatencySettings latency, Ports ports) {
    this(sites, links, routing, latency, ports, AdminSettings.OPEN);
  }

  public SelatConfig(List<SiteSpec> sites, List<LinkSpec> links, RoutingSettings routing, LatencySettings latency,
      Ports ports, AdminSettings admin) {
    this(sites, links, routing, latency, ports, SiteGraph.of(sites.stream().map(SiteSpec::id).toList(), links), admin);
  }

  /** The shortest path by summed nominal RTT; from a site to itself, no links and zero RTT. Unknown sites throw. */
  public SitePath path(String fromSite, String toSite) {
    return graph.path(fromSite, toSite);
  }

  public Optional<SiteSpec> site(String id) {
    return sites.stream().filter(s -> s.id().equals(id)).findFirst();
  }

  public Optional<LinkSpec> link(String name) {
    return links.stream().filter(l -> l.name().equals(name)).findFirst();
  }

  public List<String> siteIds() {
    return sites.stream().map(SiteSpec::id).toList();
  }
}
