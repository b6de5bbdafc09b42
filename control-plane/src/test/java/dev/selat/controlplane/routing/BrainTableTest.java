package dev.selat.controlplane.routing;

import static dev.selat.controlplane.routing.Fixtures.SETTINGS;
import static dev.selat.controlplane.routing.Fixtures.THREE_SITES;
import static dev.selat.controlplane.routing.Fixtures.held;
import static dev.selat.controlplane.routing.Fixtures.layout;
import static dev.selat.controlplane.routing.Fixtures.matrix;
import static dev.selat.controlplane.routing.Fixtures.shares;
import static dev.selat.controlplane.routing.Fixtures.sites;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The operator's rule book as a table: the catalog of service {@code catalog} in each site (one letter
 * per instance: Passing, Warning, Critical, Maintenance), the measured RTTs, the client site; then the
 * priority layout the proxies get and the share of requests each site takes (in 1/1000, Envoy's spill
 * arithmetic with overprovisioning factor 140; the same split the gRPC clients get).
 */
class BrainTableTest {
  record Row(String name, String client, Map<String, SiteInput> sites, LatencyMatrix matrix, String layout, String shares) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Row row(String name, String client, String sites, String matrix, String layout, String shares) {
    return new Row(name, client, sites(sites), matrix(matrix), layout, shares);
  }

  static Row row(String name, String client, Map<String, SiteInput> sites, String matrix, String layout, String shares) {
    return new Row(name, client, sites, matrix(matrix), layout, shares);
  }

  static final String ALL = "jakarta=PP alibaba-sg=PP aws-sg=PP";
  static final String FOUR_SITES = THREE_SITES + " jakarta-alibaba-jkt=2 alibaba-jkt-alibaba-sg=14 alibaba-jkt-aws-sg=17";

  static Stream<Row> rows() {
    return Stream.of(
        // Local first
        row("all healthy: jakarta stays local", "jakarta", ALL, THREE_SITES, "jakarta@0 alibaba-sg@1 aws-sg@2", "jakarta=1000"),
        row("all healthy: alibaba-sg stays local, then the VPN", "alibaba-sg", ALL, THREE_SITES, "alibaba-sg@0 aws-sg@1 jakarta@2", "alibaba-sg=1000"),
        row("all healthy: aws-sg stays local", "aws-sg", ALL, THREE_SITES, "aws-sg@0 alibaba-sg@1 jakarta@2", "aws-sg=1000"),
        // Health mixes
        row("jakarta all critical: the leased line (12 ms), not aws-sg (15 ms)", "jakarta",
            "jakarta=CC alibaba-sg=PP aws-sg=PP", THREE_SITES, "jakarta@0 alibaba-sg@1 aws-sg@2", "alibaba-sg=1000"),
        row("half of jakarta critical: 140 x 1/2 = 70% stays", "jakarta",
            "jakarta=PC alibaba-sg=PP aws-sg=PP", THREE_SITES, "jakarta@0 alibaba-sg@1 aws-sg@2", "alibaba-sg=300 jakarta=700"),
        row("one of three critical: 93% stays", "jakarta",
            "jakarta=PPC alibaba-sg=PP aws-sg=PP", THREE_SITES, "jakarta@0 alibaba-sg@1 aws-sg@2", "alibaba-sg=70 jakarta=930"),
        row("two of three critical: 46% stays", "jakarta",
            "jakarta=PCC alibaba-sg=PP aws-sg=PP", THREE_SITES, "jakarta@0 alibaba-sg@1 aws-sg@2", "alibaba-sg=540 jakarta=460"),
        row("warning is healthy", "jakarta", "jakarta=W alibaba-sg=P aws-sg=P", THREE_SITES, "jakarta@0 alibaba-sg@1 aws-sg@2", "jakarta=1000"),
        row("maintenance drains", "jakarta", "jakarta=M alibaba-sg=P aws-sg=P", THREE_SITES, "jakarta@0 alibaba-sg@1 aws-sg@2", "alibaba-sg=1000"),
        row("spill cascades: jakarta down, alibaba-sg half", "jakarta",
            "jakarta=C alibaba-sg=PC aws-sg=PP", THREE_SITES, "jakarta@0 alibaba-sg@1 aws-sg@2", "alibaba-sg=700 aws-sg=300"),
        row("alibaba-sg's own down: over the VPN to aws-sg (3 ms)", "alibaba-sg",
            "jakarta=PP alibaba-sg=CC aws-sg=PP", THREE_SITES, "alibaba-sg@0 aws-sg@1 jakarta@2", "aws-sg=1000"),
        row("VPN raised to 33 ms: alibaba-sg fails over to jakarta", "alibaba-sg",
            "jakarta=PP alibaba-sg=CC aws-sg=PP", "jakarta-alibaba-sg=12 alibaba-sg-aws-sg=33 jakarta-aws-sg=45",
            "alibaba-sg@0 jakarta@1 aws-sg@2", "jakarta=1000"),
        row("nothing healthy anywhere: every site kept, nothing to share", "jakarta",
            "jakarta=C alibaba-sg=C aws-sg=M", THREE_SITES, "jakarta@0 alibaba-sg@1 aws-sg@2", "none"),
        // Ties within the tolerance (2 ms)
        row("12 and 13 ms share priority 1, weights inverse to RTT", "jakarta",
            "jakarta=C alibaba-sg=P aws-sg=P", "jakarta-alibaba-sg=12 alibaba-sg-aws-sg=3 jakarta-aws-sg=13",
            "jakarta@0 alibaba-sg@1 aws-sg@1", "alibaba-sg=520 aws-sg=480"),
        row("exactly at the tolerance (12 and 14 ms) still shares", "jakarta",
            "jakarta=C alibaba-sg=P aws-sg=P", "jakarta-alibaba-sg=12 alibaba-sg-aws-sg=3 jakarta-aws-sg=14",
            "jakarta@0 alibaba-sg@1 aws-sg@1", "alibaba-sg=539 aws-sg=461"),
        row("just beyond the tolerance (12 and 14.1 ms) does not", "jakarta",
            "jakarta=C alibaba-sg=P aws-sg=P", "jakarta-alibaba-sg=12 alibaba-sg-aws-sg=3 jakarta-aws-sg=14.1",
            "jakarta@0 alibaba-sg@1 aws-sg@2", "alibaba-sg=1000"),
        row("tolerance is measured from the priority's first site, not chained", "jakarta",
            "jakarta=C alibaba-sg=P aws-sg=P alibaba-jkt=P",
            "jakarta-alibaba-sg=12 alibaba-sg-aws-sg=3 jakarta-aws-sg=13.5 jakarta-alibaba-jkt=15 alibaba-jkt-alibaba-sg=3 alibaba-jkt-aws-sg=3",
            "jakarta@0 alibaba-sg@1 aws-sg@1 alibaba-jkt@2", "alibaba-sg=529 aws-sg=471"),
        row("the local site never shares priority 0, even at 0 ms", "jakarta",
            "jakarta=PC alibaba-sg=P aws-sg=P", "jakarta-alibaba-sg=0 alibaba-sg-aws-sg=3 jakarta-aws-sg=15",
            "jakarta@0 alibaba-sg@1 aws-sg@2", "alibaba-sg=300 jakarta=700"),
        row("tied remote sites half down: availability scales the weights", "jakarta",
            "jakarta=C alibaba-sg=PC aws-sg=PP", "jakarta-alibaba-sg=12 alibaba-sg-aws-sg=3 jakarta-aws-sg=12",
            "jakarta@0 alibaba-sg@1 aws-sg@1", "alibaba-sg=412 aws-sg=588"),
        // A degraded link: slower, not dead
        row("leased line degraded to 40 ms: aws-sg over the VPN first, alibaba-sg stays a failover", "jakarta",
            "jakarta=C alibaba-sg=P aws-sg=P", "jakarta-alibaba-sg=40 alibaba-sg-aws-sg=3 jakarta-aws-sg=43",
            "jakarta@0 alibaba-sg@1 aws-sg@2", "alibaba-sg=1000"),
        row("leased line degraded, jakarta to aws-sg direct: aws-sg first", "jakarta",
            "jakarta=C alibaba-sg=P aws-sg=P", "jakarta-alibaba-sg=40 alibaba-sg-aws-sg=3 jakarta-aws-sg=15",
            "jakarta@0 aws-sg@1 alibaba-sg@2", "aws-sg=1000"),
        // Empty sites, missing cells, unknown clients
        row("a site without instances is no locality", "jakarta",
            "jakarta=C alibaba-sg= aws-sg=P", THREE_SITES, "jakarta@0 aws-sg@1", "aws-sg=1000"),
        row("a service only in aws-sg", "jakarta", "jakarta= alibaba-sg= aws-sg=PP", THREE_SITES, "aws-sg@0", "aws-sg=1000"),
        row("no RTT known to aws-sg: it goes last", "jakarta",
            "jakarta=C alibaba-sg=C aws-sg=P", "jakarta-alibaba-sg=12", "jakarta@0 alibaba-sg@1 aws-sg@2", "aws-sg=1000"),
        row("an unknown client site gets every site at priority 0, equal", "mars", ALL, THREE_SITES,
            "alibaba-sg@0 aws-sg@0 jakarta@0", "alibaba-sg=334 aws-sg=333 jakarta=333"),
        row("an unknown client site, jakarta down", "mars", "jakarta=CC alibaba-sg=P aws-sg=P", THREE_SITES,
            "alibaba-sg@0 aws-sg@0 jakarta@0", "alibaba-sg=500 aws-sg=500"),
        // A fourth site by config
        row("alibaba-jkt (2 ms) is jakarta's nearest", "jakarta",
            "jakarta=C alibaba-sg=P aws-sg=P alibaba-jkt=P", FOUR_SITES, "jakarta@0 alibaba-jkt@1 alibaba-sg@2 aws-sg@3", "alibaba-jkt=1000"),
        row("alibaba-jkt healthy, jakarta half: the spill goes to alibaba-jkt", "jakarta",
            "jakarta=PC alibaba-sg=P aws-sg=P alibaba-jkt=P", FOUR_SITES, "jakarta@0 alibaba-jkt@1 alibaba-sg@2 aws-sg@3",
            "alibaba-jkt=300 jakarta=700"),
        // Stale sites and the staleness modes
        row("expired, freeze: served as is", "jakarta", expired("jakarta", ExpiredMode.FREEZE, ALL), THREE_SITES,
            "jakarta@0 alibaba-sg@1 aws-sg@2", "jakarta=1000"),
        row("expired, decay: own site demoted behind fresh sites", "jakarta", expired("jakarta", ExpiredMode.DECAY, ALL), THREE_SITES,
            "alibaba-sg@0 aws-sg@1 jakarta@2", "alibaba-sg=1000"),
        row("expired, decay: still the last resort", "jakarta",
            expired("jakarta", ExpiredMode.DECAY, "jakarta=P alibaba-sg=C aws-sg=C"), THREE_SITES,
            "alibaba-sg@0 aws-sg@1 jakarta@2", "jakarta=1000"),
        row("expired, drop: left out", "jakarta", expired("alibaba-sg", ExpiredMode.DROP, "jakarta=C alibaba-sg=P aws-sg=P"),
            THREE_SITES, "jakarta@0 aws-sg@1", "aws-sg=1000"),
        row("expired, drop: kept when it holds the only healthy instances", "jakarta",
            expired("alibaba-sg", ExpiredMode.DROP, "jakarta=C alibaba-sg=P aws-sg=C"), THREE_SITES,
            "jakarta@0 alibaba-sg@1 aws-sg@2", "alibaba-sg=1000"));
  }

  static Map<String, SiteInput> expired(String site, ExpiredMode mode, String spec) {
    Map<String, SiteInput> sites = new LinkedHashMap<>(sites(spec));
    SiteInput s = sites.get(site);
    sites.put(site, new SiteInput(s.site(), s.region(), s.services(), Duration.ofMinutes(6), true, mode));
    return sites;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void ruleBook(Row row) {
    ServiceRoute route = Brain.route("catalog", row.client(), row.sites(), held(row.matrix()), SETTINGS);

    assertThat(layout(route)).as("layout").isEqualTo(row.layout());
    assertThat(shares(route)).as("shares").isEqualTo(row.shares());
    // The gRPC clients' single-priority assignment carries exactly the same split.
    Map<String, Integer> computed = new HashMap<>();
    route.computedSpill().forEach(l -> {
      assertThat(l.priority()).isZero();
      computed.put(l.site(), l.weight());
    });
    if (!row.shares().equals("none")) {
      Map<String, Integer> nonZero = new HashMap<>(route.shares());
      nonZero.values().removeIf(v -> v == 0);
      assertThat(computed).isEqualTo(nonZero);
      assertThat(route.computedSpill()).allSatisfy(l ->
          assertThat(l.endpoints()).allSatisfy(e -> assertThat(e.health()).isEqualTo(Health.HEALTHY)));
    }
  }

  @org.junit.jupiter.api.Test
  void tableHasAtLeastThirtyRows() {
    assertThat(rows().count()).isGreaterThanOrEqualTo(30);
  }

  static List<Row> all() {
    return rows().toList();
  }

  static Optional<Row> named(String name) {
    return rows().filter(r -> r.name().equals(name)).findFirst();
  }
}
