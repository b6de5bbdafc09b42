package dev.selat.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the demo runs: the sites, the links between them and how many instances of each service every site has. The
 * control plane learns all of it from its config and the sites' catalogs; nothing in Selat's code names a site.
 *
 * <ul>
 *   <li>{@code web} runs in every site: its traffic stays local.
 *   <li>{@code catalog} runs on-prem in jakarta and in AWS, not in Alibaba: alibaba-sg's calls go to both, the nearer
 *       (aws-sg over the 3 ms VPN) taking most, as long as the two lie within the routing tolerance of each other.
 *   <li>{@code payments} runs in jakarta only: every other site's calls cross the leased line, and feel it.
 * </ul>
 *
 * @param controlPlaneSite the site the control plane runs in: the other sites' Envoys and the control plane's Consul
 *     clients reach it, and it them, over the links too
 */
record DemoTopology(List<Site> sites, List<Link> links, Map<String, Map<String, Integer>> instances,
    String controlPlaneSite) {
  static final String JAKARTA = "jakarta";
  static final String ALIBABA_SG = "alibaba-sg";
  static final String AWS_SG = "aws-sg";
  static final String ALIBABA_JKT = "alibaba-jkt";
  static final String LEASED_LINE = "leased-line";
  static final String VPN = "vpn";
  static final List<String> SERVICES = List.of("web", "catalog", "payments");

  record Site(String id, String region) {}

  record Link(String name, String siteA, String siteB, int rttMs) {}

  DemoTopology {
    sites = List.copyOf(sites);
    links = List.copyOf(links);
    instances = Map.copyOf(instances);
  }

  /** Jakarta on-prem, Alibaba Cloud Singapore and AWS Singapore: the leased line and the VPN. */
  static DemoTopology threeSites() {
    return new DemoTopology(
        List.of(new Site(JAKARTA, "id-jkt"), new Site(ALIBABA_SG, "ap-southeast-1"), new Site(AWS_SG, "ap-southeast-1")),
        List.of(new Link(LEASED_LINE, JAKARTA, ALIBABA_SG, 12), new Link(VPN, ALIBABA_SG, AWS_SG, 3)),
        Map.of(
            "web", Map.of(JAKARTA, 2, ALIBABA_SG, 2, AWS_SG, 2),
            "catalog", Map.of(JAKARTA, 2, AWS_SG, 2),
            "payments", Map.of(JAKARTA, 2)),
        JAKARTA);
  }

  /** The three sites plus Alibaba Cloud Jakarta, 2 ms from the colo over a metro link, with web and catalog. */
  static DemoTopology fourSites() {
    DemoTopology three = threeSites();
    List<Site> sites = new ArrayList<>(three.sites);
    sites.add(new Site(ALIBABA_JKT, "id-jkt"));
    List<Link> links = new ArrayList<>(three.links);
    links.add(new Link("jkt-metro", JAKARTA, ALIBABA_JKT, 2));
    Map<String, Map<String, Integer>> instances = new LinkedHashMap<>();
    three.instances.forEach((service, bySite) -> {
      Map<String, Integer> more = new LinkedHashMap<>(bySite);
      if (!service.equals("payments")) {
        more.put(ALIBABA_JKT, 2);
      }
      instances.put(service, more);
    });
    return new DemoTopology(sites, links, instances, JAKARTA);
  }

  static DemoTopology ofSites(int count) {
    return switch (count) {
      case 3 -> threeSites();
      case 4 -> fourSites();
      default -> throw new IllegalArgumentException("--sites: 3 or 4, was " + count);
    };
  }

  List<String> siteIds() {
    return sites.stream().map(Site::id).toList();
  }

  /** The instances of {@code service} in {@code site} (0 when it has none). */
  int instances(String service, String site) {
    return instances.getOrDefault(service, Map.of()).getOrDefault(site, 0);
  }

  Link link(String name) {
    return links.stream().filter(l -> l.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no link " + name + " in " + links));
  }
}
