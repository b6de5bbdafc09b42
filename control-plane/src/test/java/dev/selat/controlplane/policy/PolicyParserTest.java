package dev.selat.controlplane.policy;

import static dev.selat.controlplane.policy.PolicyFixtures.PARSER;
import static dev.selat.controlplane.policy.PolicyFixtures.ms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.selat.controlplane.routing.Policy;
import dev.selat.proto.v1.AvoidLink;
import dev.selat.proto.v1.MigrationState;
import dev.selat.proto.v1.RoutingMode;
import dev.selat.proto.v1.RoutingPolicy;
import dev.selat.proto.v1.RttBudget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad policies, one problem each, and the field path and words of the one violation each must get: the Java table
 * below (what protobuf JSON cannot say: invalid durations and timestamps) and {@code policy/bad-policies.table}.
 */
class PolicyParserTest {
  record Bad(String name, RoutingPolicy base, UnaryOperator<RoutingPolicy.Builder> change, String field, String says) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Bad bad(String name, RoutingPolicy base, UnaryOperator<RoutingPolicy.Builder> change, String field, String says) {
    return new Bad(name, base, change, field, says);
  }

  static final RoutingPolicy R = PolicyFixtures.residency();
  static final RoutingPolicy W = PolicyFixtures.weighted();
  static final RoutingPolicy E = PolicyFixtures.everything();
  static final RoutingPolicy M = PolicyFixtures.migration();
  static final Duration NEGATIVE = Duration.newBuilder().setSeconds(-1).build();
  static final Duration MIXED_SIGNS = Duration.newBuilder().setSeconds(1).setNanos(-5).build();
  static final Duration BAD_NANOS = Duration.newBuilder().setNanos(1_000_000_000).build();
  static final Duration TWO_YEARS = Duration.newBuilder().setSeconds(2L * 365 * 86400).build();

  static Stream<Bad> cases() {
    return Stream.of(
        // name
        bad("no name", R, b -> b.clearName(), "name", "required"),
        bad("upper case name", R, b -> b.setName("Payments"), "name", "[a-z0-9-]"),
        bad("name with a slash (a KV path)", R, b -> b.setName("a/b"), "name", "\"a/b\""),
        bad("name ending in a dash", R, b -> b.setName("pay-"), "name", "starting and ending"),
        bad("name of 64", R, b -> b.setName("a".repeat(64)), "name", "1 to 63"),
        bad("name with a space", R, b -> b.setName("pay ments"), "name", "was"),
        bad("name with a control character", R, b -> b.setName("pay\nments"), "name", "\\u000a"),
        // selector
        bad("no selector", R, b -> b.clearSelector(), "selector.services", "at least one"),
        bad("no services", R, b -> b.setSelector(b.getSelector().toBuilder().clearServices()), "selector.services", "at least one"),
        bad("an empty service name", R, b -> b.setSelector(b.getSelector().toBuilder().addServices("")), "selector.services[1]", "service name"),
        bad("a star inside a name", R, b -> b.setSelector(b.getSelector().toBuilder().addServices("pay*ments")), "selector.services[1]", "prefix followed by *"),
        bad("two stars", R, b -> b.setSelector(b.getSelector().toBuilder().addServices("pay**")), "selector.services[1]", "\"pay**\""),
        bad("a service listed twice", R, b -> b.setSelector(b.getSelector().toBuilder().addServices("payments")), "selector.services[1]", "twice"),
        bad("a service name of 129", R, b -> b.setSelector(b.getSelector().toBuilder().addServices("s".repeat(129))), "selector.services[1]", "at most 128"),
        bad("an unknown client site", W, b -> b.setSelector(b.getSelector().toBuilder().addClientSites("mars")), "selector.client_sites[1]", "unknown site \"mars\""),
        bad("a client site twice", W, b -> b.setSelector(b.getSelector().toBuilder().addClientSites("jakarta")), "selector.client_sites[1]", "twice"),
        // mode
        bad("an unknown mode", R, b -> b.setModeValue(9), "mode", "unknown value 9"),
        bad("WEIGHTED without weights", W, b -> b.clearSiteWeights(), "site_weights", "required with mode WEIGHTED"),
        bad("a weight of 0", W, b -> b.putSiteWeights("aws-sg", 0), "site_weights[\"aws-sg\"]", "1..1000000"),
        bad("a weight above a million", W, b -> b.putSiteWeights("aws-sg", 1_000_001), "site_weights[\"aws-sg\"]", "was 1000001"),
        bad("a weight for an unknown site", W, b -> b.putSiteWeights("gcp", 5), "site_weights[\"gcp\"]", "unknown site"),
        bad("a weight for a denied site", W, b -> b.addDeniedSites("aws-sg"), "site_weights[\"aws-sg\"]", "excluded"),
        bad("weights without WEIGHTED", R, b -> b.putSiteWeights("jakarta", 1), "site_weights", "only with mode WEIGHTED"),
        bad("PINNED without a site", R, b -> b.clearPinnedSite(), "pinned_site", "required with mode PINNED"),
        bad("pinned to an unknown site", R, b -> b.setPinnedSite("jkt"), "pinned_site", "unknown site \"jkt\""),
        bad("pinned to a denied site", R, b -> b.addDeniedSites("jakarta"), "pinned_site", "excluded"),
        bad("pinned outside the allowed sites", R, b -> b.addAllowedSites("aws-sg"), "pinned_site", "excluded"),
        bad("a pinned site without PINNED", W, b -> b.setPinnedSite("jakarta"), "pinned_site", "only with mode PINNED"),
        // residency
        bad("an unknown allowed site", E, b -> b.addAllowedSites("mars"), "allowed_sites[2]", "unknown site"),
        bad("an allowed site twice", E, b -> b.addAllowedSites("jakarta"), "allowed_sites[2]", "twice"),
        bad("an unknown denied site", E, b -> b.addDeniedSites("mars"), "denied_sites[1]", "unknown site"),
        bad("a site allowed and denied", E, b -> b.addDeniedSites("jakarta"), "denied_sites[1]", "also in allowed_sites"),
        // budget
        bad("a budget without max_rtt", E, b -> b.setRttBudget(b.getRttBudget().toBuilder().clearMaxRtt()), "rtt_budget.max_rtt", "required"),
        bad("a zero budget", E, b -> b.setRttBudget(b.getRttBudget().toBuilder().setMaxRtt(Duration.getDefaultInstance())), "rtt_budget.max_rtt", "> 0"),
        bad("a negative budget", E, b -> b.setRttBudget(b.getRttBudget().toBuilder().setMaxRtt(NEGATIVE)), "rtt_budget.max_rtt", "> 0"),
        bad("a budget with mixed signs", E, b -> b.setRttBudget(b.getRttBudget().toBuilder().setMaxRtt(MIXED_SIGNS)), "rtt_budget.max_rtt", "not a valid duration"),
        bad("a budget with a billion nanos", E, b -> b.setRttBudget(b.getRttBudget().toBuilder().setMaxRtt(BAD_NANOS)), "rtt_budget.max_rtt", "not a valid duration"),
        bad("a budget of two years", E, b -> b.setRttBudget(b.getRttBudget().toBuilder().setMaxRtt(TWO_YEARS)), "rtt_budget.max_rtt", "365 days"),
        bad("an unknown on_exceeded", E, b -> b.setRttBudget(b.getRttBudget().toBuilder().setOnExceededValue(7)), "rtt_budget.on_exceeded", "unknown value 7"),
        // links
        bad("an unknown link", E, b -> b.setAvoidLinks(0, b.getAvoidLinks(0).toBuilder().setLink("satellite")), "avoid_links[0].link", "unknown link \"satellite\""),
        bad("a link without a name", E, b -> b.setAvoidLinks(1, b.getAvoidLinks(1).toBuilder().clearLink()), "avoid_links[1].link", "required"),
        bad("a link twice", E, b -> b.addAvoidLinks(AvoidLink.newBuilder().setLink("vpn")), "avoid_links[2].link", "twice"),
        bad("PENALIZE without a penalty", E, b -> b.setAvoidLinks(0, b.getAvoidLinks(0).toBuilder().clearPenalty()), "avoid_links[0].penalty", "required"),
        bad("a negative penalty", E, b -> b.setAvoidLinks(0, b.getAvoidLinks(0).toBuilder().setPenalty(NEGATIVE)), "avoid_links[0].penalty", "> 0"),
        bad("EXCLUDE with a penalty", E, b -> b.setAvoidLinks(1, b.getAvoidLinks(1).toBuilder().setPenalty(ms(5))), "avoid_links[1].penalty", "only with action PENALIZE"),
        bad("an unknown action", E, b -> b.setAvoidLinks(1, b.getAvoidLinks(1).toBuilder().setActionValue(3)), "avoid_links[1].action", "unknown value 3"),
        // tuning
        bad("consecutive_5xx 0", E, b -> b.setOutlierDetection(b.getOutlierDetection().toBuilder().setConsecutive5Xx(0)), "outlier_detection.consecutive_5xx", ">= 1"),
        bad("a zero outlier interval", E, b -> b.setOutlierDetection(b.getOutlierDetection().toBuilder().setInterval(ms(0))), "outlier_detection.interval", "> 0"),
        bad("a negative ejection time", E, b -> b.setOutlierDetection(b.getOutlierDetection().toBuilder().setBaseEjectionTime(NEGATIVE)), "outlier_detection.base_ejection_time", "> 0"),
        bad("max ejection 101%", E, b -> b.setOutlierDetection(b.getOutlierDetection().toBuilder().setMaxEjectionPercent(101)), "outlier_detection.max_ejection_percent", "0..100"),
        bad("max ejection as unsigned 2^32-1", E, b -> b.setOutlierDetection(b.getOutlierDetection().toBuilder().setMaxEjectionPercent(-1)), "outlier_detection.max_ejection_percent", "4294967295"),
        bad("an unknown retry condition", E, b -> b.setRetries(b.getRetries().toBuilder().setRetryOn("5xx,sometimes")), "retries.retry_on", "\"sometimes\""),
        bad("an empty retry condition", E, b -> b.setRetries(b.getRetries().toBuilder().setRetryOn("5xx,")), "retries.retry_on", "unknown condition \"\""),
        bad("eleven retries", E, b -> b.setRetries(b.getRetries().toBuilder().setNumRetries(11)), "retries.num_retries", "0..10"),
        bad("a zero per-try timeout", E, b -> b.setRetries(b.getRetries().toBuilder().setPerTryTimeout(ms(0))), "retries.per_try_timeout", "> 0"),
        bad("a zero connect timeout", E, b -> b.setTimeouts(b.getTimeouts().toBuilder().setConnect(ms(0))), "timeouts.connect", "> 0"),
        bad("a negative request timeout", E, b -> b.setTimeouts(b.getTimeouts().toBuilder().setRequest(NEGATIVE)), "timeouts.request", "> 0"),
        // migration
        bad("a migration without from_site", M, b -> b.setMigration(b.getMigration().toBuilder().clearFromSite()), "migration.from_site", "required"),
        bad("a migration to an unknown site", M, b -> b.setMigration(b.getMigration().toBuilder().setToSite("gcp")), "migration.to_site", "unknown site"),
        bad("a migration to itself", M, b -> b.setMigration(b.getMigration().toBuilder().setToSite("aws-sg")), "migration.to_site", "must differ"),
        bad("a migration to a denied site", M, b -> b.addDeniedSites("alibaba-sg"), "migration.to_site", "excluded"),
        bad("target 0%", M, b -> b.setMigration(b.getMigration().toBuilder().setTargetPercent(0)), "migration.target_percent", "1..100"),
        bad("target 101%", M, b -> b.setMigration(b.getMigration().toBuilder().setTargetPercent(101)), "migration.target_percent", "1..100"),
        bad("step 0", M, b -> b.setMigration(b.getMigration().toBuilder().setStepPercent(0)), "migration.step_percent", "1..target_percent"),
        bad("step above the target", M, b -> b.setMigration(b.getMigration().toBuilder().setStepPercent(25)), "migration.step_percent", "was 25"),
        bad("no interval", M, b -> b.setMigration(b.getMigration().toBuilder().clearInterval()), "migration.interval", "required"),
        bad("a zero interval", M, b -> b.setMigration(b.getMigration().toBuilder().setInterval(ms(0))), "migration.interval", "> 0"),
        bad("an unknown phase", M, b -> b.setMigration(b.getMigration().toBuilder().setState(MigrationState.newBuilder().setPhaseValue(12))), "migration.state.phase", "unknown value 12"),
        bad("running without since", M, b -> b.setMigration(b.getMigration().toBuilder().setState(b.getMigration().getState().toBuilder().clearSince())), "migration.state.since", "required when RUNNING"),
        bad("running since an impossible time", M, b -> b.setMigration(b.getMigration().toBuilder().setState(b.getMigration().getState().toBuilder().setSince(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)))), "migration.state.since", "not a valid timestamp"),
        bad("base above the target", M, b -> b.setMigration(b.getMigration().toBuilder().setState(b.getMigration().getState().toBuilder().setBasePercent(30))), "migration.state.base_percent", "0..target_percent"),
        bad("pending with a base", M, b -> b.setMigration(b.getMigration().toBuilder().setState(MigrationState.newBuilder().setPhase(MigrationState.Phase.PENDING).setBasePercent(5))), "migration.state.base_percent", "must be 0 when PENDING"));
  }

  /** A row of {@code bad-policies.table}: what it is, the base policy, the edits, the field and words expected. */
  record Row(String what, String base, String change, String field, String says) {
    @Override
    public String toString() {
      return what;
    }

    RoutingPolicy policy() throws Exception {
      return PolicyEdits.apply(BASES.get(base), change);
    }
  }

  static final Map<String, RoutingPolicy> BASES = Map.of("R", R, "W", W, "E", E, "M", M, "L",
      PolicyFixtures.localFirst());

  static Stream<Row> table() throws IOException {
    try (var in = PolicyParserTest.class.getResourceAsStream("/policy/bad-policies.table")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#"))
          .map(l -> {
            String[] c = l.split(" \\| ", -1);
            if (c.length != 5 || !BASES.containsKey(c[1])) {
              throw new IllegalArgumentException("bad-policies.table: not what | base | change | field | says: " + l);
            }
            return new Row(c[0], c[1], c[2], c[3], c[4]);
          })
          .toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badPolicy_isRefused_namingTheField(Bad c) {
    assertThat(PARSER.validate(c.base())).as("the base is good").isEmpty();
    refusedOnce(c.change().apply(c.base().toBuilder()).build(), c.field(), c.says());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void badPolicyOfTheTable_isRefused_namingTheField(Row r) throws Exception {
    assertThat(PARSER.validate(BASES.get(r.base()))).as("the base is good").isEmpty();
    refusedOnce(r.policy(), r.field(), r.says());
  }

  /** {@code p} has exactly one violation, on {@code field}, saying {@code says}; parse refuses it naming the field. */
  static void refusedOnce(RoutingPolicy p, String field, String says) {
    assertThat(PARSER.validate(p)).as(p.toString()).singleElement().satisfies(v -> {
      assertThat(v.field()).isEqualTo(field);
      assertThat(v.description()).contains(says);
      assertThat(FieldPaths.exists(v.field())).as(v.field()).isTrue();
    });
    assertThatThrownBy(() -> PARSER.parse(p)).isInstanceOf(PolicyInvalidException.class).hasMessageContaining(field);
  }

  @Test
  void everyProblemIsReported_notJustTheFirst() {
    RoutingPolicy p = RoutingPolicy.newBuilder().setName("X").setMode(RoutingMode.PINNED)
        .setRttBudget(RttBudget.getDefaultInstance()).build();

    assertThat(PARSER.validate(p)).extracting(Violation::field)
        .containsExactly("name", "selector.services", "pinned_site", "rtt_budget.max_rtt");
  }

  @Test
  void goodPolicies_parseIntoTheBrainsTerms() throws Exception {
    Policy e = PARSER.parse(PolicyFixtures.everything());
    assertThat(e.mode()).isEqualTo(Policy.Mode.LOWEST_LATENCY);
    assertThat(e.rttBudget()).contains(new Policy.RttBudget(java.time.Duration.ofMillis(30), true));
    assertThat(e.avoidLinks()).containsExactly(Policy.AvoidLink.penalize("vpn", java.time.Duration.ofMillis(20)),
        Policy.AvoidLink.exclude("leased-line"));
    assertThat(e.tuning().timeouts().request()).contains(java.time.Duration.ofSeconds(3));
    assertThat(e.allowedSites()).containsExactly("alibaba-sg", "jakarta");

    Policy m = PARSER.parse(PolicyFixtures.migration());
    assertThat(m.migration()).hasValueSatisfying(mig -> {
      assertThat(mig.state().phase()).isEqualTo(dev.selat.controlplane.routing.Migration.Phase.RUNNING);
      assertThat(mig.percentAt(java.time.Instant.ofEpochSecond(1_796_000_000 + 10))).isEqualTo(10);
    });
    assertThat(PARSER.parse(PolicyFixtures.residency()).pinnedSite()).contains("jakarta");
  }

  @Test
  void migrationState_writtenBack_parsesToTheSameRamp() throws Exception {
    var started = PARSER.parse(PolicyFixtures.migration()).migration().orElseThrow()
        .pause(java.time.Instant.ofEpochSecond(1_796_000_015));
    RoutingPolicy stored = PolicyParser.withMigrationState(PolicyFixtures.migration(), started);

    assertThat(PARSER.parse(stored).migration()).contains(started);
  }

  @Test
  void theTables_holdThreeHundredCases_eachADistinctPolicy_underADistinctName() throws Exception {
    List<RoutingPolicy> policies = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Bad c : cases().toList()) {
      policies.add(c.change().apply(c.base().toBuilder()).build());
      names.add(c.name());
    }
    for (Row r : table().toList()) {
      policies.add(r.policy());
      names.add(r.what());
    }
    System.out.printf("PolicyParserTest: %d bad policies (%d in Java, %d in bad-policies.table)%n", policies.size(),
        cases().count(), table().count());
    assertThat(policies).hasSizeGreaterThanOrEqualTo(300).doesNotHaveDuplicates();
    assertThat(names).doesNotHaveDuplicates();
  }
}
