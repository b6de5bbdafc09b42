package dev.selat.controlplane.routing;

import static dev.selat.controlplane.routing.Fixtures.PATHS;
import static dev.selat.controlplane.routing.Fixtures.SETTINGS;
import static dev.selat.controlplane.routing.Fixtures.T0;
import static dev.selat.controlplane.routing.Fixtures.THREE_SITES;
import static dev.selat.controlplane.routing.Fixtures.held;
import static dev.selat.controlplane.routing.Fixtures.layout;
import static dev.selat.controlplane.routing.Fixtures.matrix;
import static dev.selat.controlplane.routing.Fixtures.shares;
import static dev.selat.controlplane.routing.Fixtures.sites;
import static org.assertj.core.api.Assertions.assertThat;

import dev.selat.controlplane.routing.Policy.AvoidLink;
import dev.selat.controlplane.routing.Policy.Mode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The operator's rule book for policies, as a table: service {@code payments} in each site (one letter per instance,
 * as in {@link BrainTableTest}), the measured RTTs (leased line jakarta-alibaba-sg 12 ms, VPN alibaba-sg-aws-sg 3 ms,
 * jakarta-aws-sg 15 ms over both), the policies, the client site; then the priority layout, the share of requests per
 * site (1/1000) and whether the route reports that the policies leave no healthy endpoint.
 */
class PolicyTableTest {
  static final String SERVICE = "payments";
  static final String ALL = "jakarta=PP alibaba-sg=PP aws-sg=PP";
  static final String JAKARTA_DOWN = "jakarta=CC alibaba-sg=PP aws-sg=PP";
  static final String FOUR_SITES = THREE_SITES + " jakarta-alibaba-jkt=2 alibaba-jkt-alibaba-sg=14 alibaba-jkt-aws-sg=17";
  /** search moves from aws-sg to alibaba-sg: 20% in 5-point steps every 10 s, started at T0. */
  static final Migration RAMP = Migration.pending("aws-sg", "alibaba-sg", 20, 5, Duration.ofSeconds(10)).start(T0);

  record Row(String name, String client, String sites, String matrix, List<Policy> policies, Duration at,
      String layout, String shares, boolean noEndpoints) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Row row(String name, String client, String sites, List<Policy> policies, String layout, String shares) {
    return new Row(name, client, sites, THREE_SITES, policies, Duration.ZERO, layout, shares, false);
  }

  static Row blocked(String name, String client, String sites, List<Policy> policies, String layout) {
    return new Row(name, client, sites, THREE_SITES, policies, Duration.ZERO, layout, "none", true);
  }

  static Row measured(String name, String client, String sites, String matrix, List<Policy> policies, String layout,
      String shares) {
    return new Row(name, client, sites, matrix, policies, Duration.ZERO, layout, shares, false);
  }

  static Row ramp(String name, String client, Migration m, Duration at, String layout, String shares) {
    return new Row(name, client, ALL, THREE_SITES, List.of(Policy.of("move-payments", SERVICE).migrating(m)), at,
        layout, shares, false);
  }

  static Policy payments(String name) {
    return Policy.of(name, SERVICE);
  }

  static Stream<Row> rows() {
    return Stream.of(
        row("no policy: the rule book as before", "jakarta", JAKARTA_DOWN, List.of(),
            "jakarta@0 alibaba-sg@1 aws-sg@2", "alibaba-sg=1000"),
        // Residency
        row("pinned to jakarta: only jakarta", "jakarta", ALL, List.of(payments("p").pinned("jakarta")),
            "jakarta@0", "jakarta=1000"),
        row("pinned to jakarta: clients in aws-sg go to jakarta too", "aws-sg", ALL,
            List.of(payments("p").pinned("jakarta")), "jakarta@0", "jakarta=1000"),
        blocked("pinned to jakarta, every jakarta instance critical: no failover, no healthy endpoint", "jakarta",
            JAKARTA_DOWN, List.of(payments("p").pinned("jakarta")), "jakarta@0"),
        blocked("pinned to a site without instances: an empty cluster, not another site", "jakarta",
            "jakarta= alibaba-sg=PP aws-sg=PP", List.of(payments("p").pinned("jakarta")), ""),
        row("allowed jakarta and alibaba-sg, jakarta down: failover stays inside", "jakarta", JAKARTA_DOWN,
            List.of(payments("p").allowing("jakarta", "alibaba-sg")), "jakarta@0 alibaba-sg@1", "alibaba-sg=1000"),
        blocked("allowed jakarta and alibaba-sg, both down: healthy aws-sg is never used", "jakarta",
            "jakarta=CC alibaba-sg=CC aws-sg=PP", List.of(payments("p").allowing("jakarta", "alibaba-sg")),
            "jakarta@0 alibaba-sg@1"),
        row("aws-sg denied: alibaba-sg, its own down, fails over to jakarta over the leased line", "alibaba-sg",
            "jakarta=PP alibaba-sg=CC aws-sg=PP", List.of(payments("p").denying("aws-sg")),
            "alibaba-sg@0 jakarta@1", "jakarta=1000"),
        blocked("aws-sg's own clients, aws-sg denied and the rest down: nothing, not aws-sg", "aws-sg",
            "jakarta=C alibaba-sg=C aws-sg=PP", List.of(payments("p").denying("aws-sg")), "alibaba-sg@0 jakarta@1"),
        row("a wider policy's residency holds under a narrower winner", "aws-sg", ALL,
            List.of(Policy.of("no-aws", "*").denying("aws-sg"), payments("aws-clients").forClientSites("aws-sg")),
            "alibaba-sg@0 jakarta@1", "alibaba-sg=1000"),
        row("a policy for another service does not apply", "jakarta", ALL,
            List.of(Policy.of("p", "search").pinned("aws-sg")), "jakarta@0 alibaba-sg@1 aws-sg@2", "jakarta=1000"),
        row("a policy for other client sites does not apply", "jakarta", ALL,
            List.of(payments("p").pinned("aws-sg").forClientSites("alibaba-sg", "aws-sg")),
            "jakarta@0 alibaba-sg@1 aws-sg@2", "jakarta=1000"),
        // Precedence: most specific, then name
        row("service and client site beat the service alone", "jakarta", ALL,
            List.of(payments("everyone").pinned("aws-sg"), payments("jakarta-clients").forClientSites("jakarta")
                .pinned("jakarta")), "jakarta@0", "jakarta=1000"),
        row("...and the service alone applies to the other sites' clients", "alibaba-sg", ALL,
            List.of(payments("everyone").pinned("aws-sg"), payments("jakarta-clients").forClientSites("jakarta")
                .pinned("jakarta")), "aws-sg@0", "aws-sg=1000"),
        row("a service name beats a pattern", "jakarta", ALL,
            List.of(Policy.of("all", "pay*").pinned("aws-sg"), payments("exact")),
            "jakarta@0 alibaba-sg@1 aws-sg@2", "jakarta=1000"),
        row("a pattern with client sites beats a pattern", "jakarta", ALL,
            List.of(Policy.of("all", "*").pinned("aws-sg"), Policy.of("jkt", "*").forClientSites("jakarta")
                .pinned("alibaba-sg")), "alibaba-sg@0", "alibaba-sg=1000"),
        row("equally specific: the smaller name wins", "jakarta", ALL,
            List.of(payments("b-policy").pinned("aws-sg"), payments("a-policy").pinned("alibaba-sg")),
            "alibaba-sg@0", "alibaba-sg=1000"),
        // Modes
        row("WEIGHTED 80/20 alibaba-sg/aws-sg from jakarta: jakarta only as failover", "jakarta", ALL,
            List.of(payments("w").weighted(Map.of("alibaba-sg", 80, "aws-sg", 20))),
            "alibaba-sg@0 aws-sg@0 jakarta@1", "alibaba-sg=800 aws-sg=200"),
        row("WEIGHTED, alibaba-sg half down: its availability scales its weight (56:20)", "jakarta",
            "jakarta=PP alibaba-sg=PC aws-sg=PP", List.of(payments("w").weighted(Map.of("alibaba-sg", 80, "aws-sg", 20))),
            "alibaba-sg@0 aws-sg@0 jakarta@1", "alibaba-sg=737 aws-sg=263"),
        row("WEIGHTED sites all down: the other sites fail over", "jakarta", "jakarta=PP alibaba-sg=CC aws-sg=CC",
            List.of(payments("w").weighted(Map.of("alibaba-sg", 80, "aws-sg", 20))),
            "alibaba-sg@0 aws-sg@0 jakarta@1", "jakarta=1000"),
        row("WEIGHTED with a denied site: residency first", "jakarta", ALL,
            List.of(payments("w").weighted(Map.of("alibaba-sg", 80, "aws-sg", 20)).denying("aws-sg")),
            "alibaba-sg@0 jakarta@1", "alibaba-sg=1000"),
        measured("LOWEST_LATENCY: alibaba-jkt (2 ms) shares priority 0 with jakarta", "jakarta",
            "jakarta=P alibaba-sg=P aws-sg=P alibaba-jkt=P", FOUR_SITES, List.of(payments("l").withMode(Mode.LOWEST_LATENCY)),
            "jakarta@0 alibaba-jkt@0 alibaba-sg@1 aws-sg@2", "alibaba-jkt=500 jakarta=500"),
        measured("LOCAL_FIRST (the default): jakarta alone first", "jakarta",
            "jakarta=P alibaba-sg=P aws-sg=P alibaba-jkt=P", FOUR_SITES, List.of(payments("l").withMode(Mode.LOCAL_FIRST)),
            "jakarta@0 alibaba-jkt@1 alibaba-sg@2 aws-sg@3", "jakarta=1000"),
        // RTT budget
        row("budget 13 ms, fail closed, jakarta down: alibaba-sg (12 ms), never aws-sg (15 ms)", "jakarta",
            JAKARTA_DOWN, List.of(payments("b").withBudget(Duration.ofMillis(13), false)),
            "jakarta@0 alibaba-sg@1", "alibaba-sg=1000"),
        blocked("budget 10 ms, fail closed, jakarta down: nothing within it", "jakarta", JAKARTA_DOWN,
            List.of(payments("b").withBudget(Duration.ofMillis(10), false)), "jakarta@0"),
        row("budget 10 ms, fail over, jakarta healthy: aws-sg held back", "jakarta", ALL,
            List.of(payments("b").withBudget(Duration.ofMillis(10), true)), "jakarta@0", "jakarta=1000"),
        row("budget 10 ms, fail over, half of jakarta down: no spill beyond the budget", "jakarta",
            "jakarta=PC alibaba-sg=PP aws-sg=PP", List.of(payments("b").withBudget(Duration.ofMillis(10), true)),
            "jakarta@0", "jakarta=1000"),
        row("budget 10 ms, fail over, jakarta down: beyond it, by RTT", "jakarta", JAKARTA_DOWN,
            List.of(payments("b").withBudget(Duration.ofMillis(10), true)),
            "jakarta@0 alibaba-sg@1 aws-sg@2", "alibaba-sg=1000"),
        new Row("an unknown RTT is beyond the budget", "jakarta", "jakarta=CC alibaba-sg=CC aws-sg=PP",
            "jakarta-alibaba-sg=12", List.of(payments("b").withBudget(Duration.ofMillis(13), false)), Duration.ZERO,
            "jakarta@0 alibaba-sg@1", "none", true),
        // Links
        row("avoid the VPN from jakarta: aws-sg (leased line + VPN) excluded", "jakarta",
            "jakarta=CC alibaba-sg=PC aws-sg=PP", List.of(payments("v").avoiding(AvoidLink.exclude("vpn"))),
            "jakarta@0 alibaba-sg@1", "alibaba-sg=1000"),
        row("avoid the VPN from alibaba-sg, its own down: jakarta, not aws-sg (3 ms)", "alibaba-sg",
            "jakarta=PP alibaba-sg=CC aws-sg=PP", List.of(payments("v").avoiding(AvoidLink.exclude("vpn"))),
            "alibaba-sg@0 jakarta@1", "jakarta=1000"),
        row("avoiding a link no path crosses changes nothing", "jakarta", JAKARTA_DOWN,
            List.of(payments("v").avoiding(AvoidLink.exclude("satellite"))),
            "jakarta@0 alibaba-sg@1 aws-sg@2", "alibaba-sg=1000"),
        measured("penalize the VPN by 30 ms: aws-sg (15 + 30) goes last behind alibaba-sg (40)", "jakarta",
            JAKARTA_DOWN, "jakarta-alibaba-sg=40 alibaba-sg-aws-sg=3 jakarta-aws-sg=15",
            List.of(payments("v").avoiding(AvoidLink.penalize("vpn", Duration.ofMillis(30)))),
            "jakarta@0 alibaba-sg@1 aws-sg@2", "alibaba-sg=1000"),
        measured("...without the penalty aws-sg comes first", "jakarta", JAKARTA_DOWN,
            "jakarta-alibaba-sg=40 alibaba-sg-aws-sg=3 jakarta-aws-sg=15", List.of(),
            "jakarta@0 aws-sg@1 alibaba-sg@2", "aws-sg=1000"),
        row("a penalty counts against the budget: the leased line +5 ms puts alibaba-sg beyond 13 ms", "jakarta",
            JAKARTA_DOWN, List.of(payments("v").avoiding(AvoidLink.penalize("leased-line", Duration.ofMillis(5)))
                .withBudget(Duration.ofMillis(13), true)), "jakarta@0 alibaba-sg@1 aws-sg@2", "alibaba-sg=1000"),
        // Migration: 20% of aws-sg's traffic to alibaba-sg, 5-point steps every 10 s
        ramp("migration pending: nothing moves", "aws-sg",
            Migration.pending("aws-sg", "alibaba-sg", 20, 5, Duration.ofSeconds(10)), Duration.ZERO,
            "aws-sg@0 alibaba-sg@1 jakarta@2", "aws-sg=1000"),
        ramp("migration started: the first step at once (5%)", "aws-sg", RAMP, Duration.ZERO,
            "aws-sg@0 alibaba-sg@0 jakarta@1", "alibaba-sg=50 aws-sg=950"),
        ramp("migration after 10 s: 10%", "aws-sg", RAMP, Duration.ofSeconds(10),
            "aws-sg@0 alibaba-sg@0 jakarta@1", "alibaba-sg=100 aws-sg=900"),
        ramp("migration after 19.9 s: still 10%", "aws-sg", RAMP, Duration.ofMillis(19_900),
            "aws-sg@0 alibaba-sg@0 jakarta@1", "alibaba-sg=100 aws-sg=900"),
        ramp("migration after 30 s: 20%, the target", "aws-sg", RAMP, Duration.ofSeconds(30),
            "aws-sg@0 alibaba-sg@0 jakarta@1", "alibaba-sg=200 aws-sg=800"),
        ramp("migration after an hour: stays at the target", "aws-sg", RAMP, Duration.ofHours(1),
            "aws-sg@0 alibaba-sg@0 jakarta@1", "alibaba-sg=200 aws-sg=800"),
        ramp("migration paused at 10 s, a minute later: still 10%", "aws-sg",
            RAMP.pause(T0.plusSeconds(15)), Duration.ofSeconds(75),
            "aws-sg@0 alibaba-sg@0 jakarta@1", "alibaba-sg=100 aws-sg=900"),
        ramp("migration rolled back: nothing moves", "aws-sg", RAMP.rollback(T0.plusSeconds(25)), Duration.ofSeconds(30),
            "aws-sg@0 alibaba-sg@1 jakarta@2", "aws-sg=1000"),
        ramp("migration to 100%: alibaba-sg takes aws-sg's place, aws-sg the failover", "aws-sg",
            Migration.pending("aws-sg", "alibaba-sg", 100, 50, Duration.ofSeconds(10)).start(T0), Duration.ofSeconds(10),
            "alibaba-sg@0 aws-sg@1 jakarta@2", "alibaba-sg=1000"),
        ramp("migration: clients whose traffic never reaches aws-sg are not moved", "jakarta", RAMP, Duration.ofSeconds(30),
            "jakarta@0 alibaba-sg@1 aws-sg@2", "jakarta=1000"),
        ramp("migration: alibaba-sg's own clients, the to-site already ahead", "alibaba-sg", RAMP, Duration.ofSeconds(30),
            "alibaba-sg@0 aws-sg@1 jakarta@2", "alibaba-sg=1000"),
        new Row("migration to a denied site: residency wins, nothing moves", "aws-sg", ALL, THREE_SITES,
            List.of(payments("m").migrating(RAMP).denying("alibaba-sg")), Duration.ofSeconds(30),
            "aws-sg@0 jakarta@1", "aws-sg=1000", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void ruleBook(Row row) {
    ServiceRoute route = Brain.route(SERVICE, row.client(), sites(SERVICE, row.sites()), held(matrix(row.matrix())),
        SETTINGS, new PolicyInput(row.policies(), PATHS, T0.plus(row.at())));

    assertThat(layout(route)).as("layout").isEqualTo(row.layout());
    assertThat(shares(route)).as("shares").isEqualTo(row.shares());
    assertThat(route.noEndpointsCause().isPresent()).as("no healthy endpoint reported").isEqualTo(row.noEndpoints());
    assertThat(route.routed()).as("the clients keep the service's cluster").isTrue();
    Map<String, Integer> computed = new HashMap<>();
    route.computedSpill().forEach(l -> computed.put(l.site(), l.weight()));
    if (!row.shares().equals("none")) {
      Map<String, Integer> nonZero = new HashMap<>(route.shares());
      nonZero.values().removeIf(v -> v == 0);
      assertThat(computed).as("the gRPC clients' split").isEqualTo(nonZero);
    }
  }

  @org.junit.jupiter.api.Test
  void tableHasAtLeastFortyRows() {
    assertThat(rows().count()).isGreaterThanOrEqualTo(40);
  }
}
