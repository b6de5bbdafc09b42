package dev.selat.controlplane.routing;

import dev.selat.controlplane.config.RoutingSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** A small language for the brain's table tests: sites as strings of check states, links as RTTs. */
final class Fixtures {
  static final Instant T0 = Instant.parse("2026-12-03T00:00:00Z");
  static final RoutingSettings SETTINGS = new RoutingSettings(
      Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofSeconds(30), Duration.ofMinutes(2), 140, Duration.ofMillis(100), Duration.ofSeconds(1));
  static final List<String> SITE_ORDER = List.of("jakarta", "alibaba-sg", "aws-sg", "alibaba-jkt");
  static final Map<String, String> REGIONS = Map.of(
      "jakarta", "id-jkt", "alibaba-sg", "ap-southeast-1", "aws-sg", "ap-southeast-1", "alibaba-jkt", "ap-southeast-5");
  /** The leased line 12 ms, the VPN 3 ms, jakarta to aws-sg over both. */
  static final String THREE_SITES = "jakarta-alibaba-sg=12 alibaba-sg-aws-sg=3 jakarta-aws-sg=15";

  /** The links each pair's path crosses in the three-site layout (and alibaba-jkt, 2 ms from jakarta on its own link). */
  static final Map<SitePair, List<String>> PATHS = paths(
      "jakarta>alibaba-sg=leased-line", "jakarta>aws-sg=leased-line,vpn", "alibaba-sg>aws-sg=vpn",
      "jakarta>alibaba-jkt=metro", "alibaba-jkt>alibaba-sg=metro,leased-line", "alibaba-jkt>aws-sg=metro,leased-line,vpn");

  private Fixtures() {}

  static Map<SitePair, List<String>> paths(String... specs) {
    Map<SitePair, List<String>> out = new TreeMap<>();
    for (String spec : specs) {
      String[] kv = spec.split("=");
      String[] pair = kv[0].split(">");
      List<String> links = List.of(kv[1].split(","));
      out.put(new SitePair(pair[0], pair[1]), links);
      out.put(new SitePair(pair[1], pair[0]), links.reversed());
    }
    return out;
  }

  /**
   * Sites from {@code "jakarta=PC alibaba-sg=P"}: one letter per instance of service {@code catalog},
   * P passing, W warning, C critical, M maintenance; {@code "aws-sg="} is a site without instances.
   */
  static Map<String, SiteInput> sites(String spec) {
    return sites("catalog", spec);
  }

  /** {@link #sites(String)} for {@code service}. */
  static Map<String, SiteInput> sites(String service, String spec) {
    Map<String, SiteInput> out = new TreeMap<>();
    for (String part : spec.trim().split("\\s+")) {
      String[] kv = part.split("=", -1);
      out.put(kv[0], SiteInput.fresh(kv[0], REGIONS.get(kv[0]), kv[1].isEmpty() ? Map.of() : Map.of(service, instances(kv[0], kv[1]))));
    }
    return out;
  }

  static List<Instance> instances(String site, String states) {
    int s = SITE_ORDER.indexOf(site) + 1;
    List<Instance> out = new ArrayList<>();
    for (int n = 1; n <= states.length(); n++) {
      CheckStatus status = switch (states.charAt(n - 1)) {
        case 'P' -> CheckStatus.PASSING;
        case 'W' -> CheckStatus.WARNING;
        case 'C' -> CheckStatus.CRITICAL;
        case 'M' -> CheckStatus.MAINTENANCE;
        default -> throw new IllegalArgumentException("state " + states.charAt(n - 1));
      };
      out.add(new Instance(site + "-" + n, new HostPort("10." + s + ".0." + n, 8080),
          Optional.of(new HostPort("198.51." + s + "." + n, 8443)), status, 1, 1, Map.of()));
    }
    return out;
  }

  /** A measured matrix from {@code "a-b=12 ..."} (ms, both directions; site ids may contain '-', so split at the known ids). */
  static LatencyMatrix matrix(String spec) {
    Map<SitePair, LatencyCell> cells = new LinkedHashMap<>();
    for (String part : spec.trim().split("\\s+")) {
      String[] kv = part.split("=");
      String[] pair = pair(kv[0]);
      LatencyCell cell = LatencyCell.probe(Duration.ofNanos((long) (Double.parseDouble(kv[1]) * 1_000_000)));
      cells.put(new SitePair(pair[0], pair[1]), cell);
      cells.putIfAbsent(new SitePair(pair[1], pair[0]), cell);
    }
    return new LatencyMatrix(cells);
  }

  static String[] pair(String s) {
    for (String a : SITE_ORDER) {
      if (s.startsWith(a + "-") && SITE_ORDER.contains(s.substring(a.length() + 1))) {
        return new String[] {a, s.substring(a.length() + 1)};
      }
    }
    throw new IllegalArgumentException("pair " + s);
  }

  static HeldLatency held(LatencyMatrix m) {
    return HeldLatency.EMPTY.step(m, T0, SETTINGS);
  }

  static ServiceRoute route(String client, Map<String, SiteInput> sites, LatencyMatrix m) {
    return Brain.route("catalog", client, sites, held(m), SETTINGS);
  }

  /** {@code "jakarta@0 alibaba-sg@1"}: the localities in order with their priorities. */
  static String layout(ServiceRoute r) {
    return r.priorities().stream().map(l -> l.site() + "@" + l.priority()).collect(Collectors.joining(" "));
  }

  /** {@code "alibaba-sg=300 jakarta=700"}: non-zero expected shares in 1/1000, by site. */
  static String shares(ServiceRoute r) {
    String s = new TreeMap<>(r.shares()).entrySet().stream().filter(e -> e.getValue() > 0)
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    return s.isEmpty() ? "none" : s;
  }
}
