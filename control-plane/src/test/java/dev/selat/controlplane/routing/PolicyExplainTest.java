package dev.selat.controlplane.routing;

import static dev.selat.controlplane.routing.Fixtures.PATHS;
import static dev.selat.controlplane.routing.Fixtures.SETTINGS;
import static dev.selat.controlplane.routing.Fixtures.T0;
import static dev.selat.controlplane.routing.Fixtures.THREE_SITES;
import static dev.selat.controlplane.routing.Fixtures.held;
import static dev.selat.controlplane.routing.Fixtures.matrix;
import static dev.selat.controlplane.routing.Fixtures.sites;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** What a route says about its policies: the precedence, each site's reasons, why there is no healthy endpoint. */
class PolicyExplainTest {
  static ServiceRoute route(String client, String sites, Policy... policies) {
    return Brain.route("payments", client, sites("payments", sites), held(matrix(THREE_SITES)), SETTINGS,
        new PolicyInput(List.of(policies), PATHS, T0));
  }

  static SiteReason reason(ServiceRoute r, String site) {
    return r.reasons().stream().filter(s -> s.site().equals(site)).findFirst().orElseThrow();
  }

  @Test
  void pinnedAndDown_saysWhichSitesWereLeftOutAndWhy() {
    ServiceRoute r = route("jakarta", "jakarta=CC alibaba-sg=PP aws-sg=PP",
        Policy.of("payments-in-jakarta", "payments").pinned("jakarta").atRevision(7));

    assertThat(r.noEndpointsCause()).hasValueSatisfying(c -> assertThat(c)
        .contains("jakarta 0/2 healthy")
        .contains("alibaba-sg left out (pinned to jakarta by payments-in-jakarta)")
        .contains("aws-sg left out (pinned to jakarta by payments-in-jakarta)"));
    assertThat(r.policies()).containsExactly("payments-in-jakarta (revision 7, by service name): applied");
    assertThat(reason(r, "alibaba-sg").priority()).isEmpty();
    assertThat(reason(r, "alibaba-sg").sharePerMille()).isZero();
    assertThat(r.priorities()).singleElement().satisfies(l -> assertThat(l.endpoints())
        .extracting(RoutedEndpoint::health).containsOnly(Health.UNHEALTHY));
  }

  @Test
  void precedence_listsEveryMatchingPolicy_theWinnerFirst() {
    ServiceRoute r = route("jakarta", "jakarta=PP alibaba-sg=PP aws-sg=PP",
        Policy.of("everything", "*").denying("aws-sg"),
        Policy.of("payments", "payments"),
        Policy.of("jakarta-payments", "payments").forClientSites("jakarta"),
        Policy.of("other-service", "search"));

    assertThat(r.policies()).containsExactly(
        "jakarta-payments (revision 0, by service name and client site): applied",
        "payments (revision 0, by service name): residency only, overridden by jakarta-payments",
        "everything (revision 0, by pattern): residency only, overridden by jakarta-payments");
    assertThat(reason(r, "aws-sg").note()).isEqualTo("residency: everything denies it");
  }

  @Test
  void reasons_nameTheBudgetTheLinkAndTheMigration() {
    ServiceRoute budget = route("jakarta", "jakarta=CC alibaba-sg=PP aws-sg=PP",
        Policy.of("b", "payments").withBudget(Duration.ofMillis(13), false));
    assertThat(reason(budget, "aws-sg").note()).isEqualTo("RTT 15 ms, beyond the budget 13 ms of b: fail closed");

    ServiceRoute link = route("jakarta", "jakarta=CC alibaba-sg=PP aws-sg=PP",
        Policy.of("v", "payments").avoiding(Policy.AvoidLink.penalize("vpn", Duration.ofMillis(30))));
    assertThat(reason(link, "aws-sg").note()).startsWith("avoid link vpn: +30 ms by v");
    assertThat(reason(link, "aws-sg").rtt()).as("the RTT routing used").isEqualTo(Duration.ofMillis(45));

    ServiceRoute moved = route("aws-sg", "jakarta=PP alibaba-sg=PP aws-sg=PP", Policy.of("m", "payments")
        .migrating(Migration.pending("aws-sg", "alibaba-sg", 20, 5, Duration.ofSeconds(10)).start(T0)));
    assertThat(moved.policies()).contains("migration aws-sg -> alibaba-sg (RUNNING, 5% of 20%): applied");
    assertThat(reason(moved, "alibaba-sg").note()).startsWith("migration: takes 5% of aws-sg's share by m");
  }

  @Test
  void theWinnersTuning_goesWithTheRoute_andChangesTheResources() {
    Tuning tuning = new Tuning(new Tuning.Outlier(OptionalInt.of(3), Optional.empty(), Optional.empty(), OptionalInt.empty()),
        Tuning.Retries.DEFAULT, new Tuning.Timeouts(Optional.empty(), Optional.of(Duration.ofSeconds(2))));
    ServiceRoute plain = route("jakarta", "jakarta=P alibaba-sg=P aws-sg=P");
    ServiceRoute tuned = route("jakarta", "jakarta=P alibaba-sg=P aws-sg=P", Policy.of("t", "payments").withTuning(tuning));

    assertThat(tuned.tuning()).isEqualTo(tuning);
    assertThat(plain.tuning()).isEqualTo(Tuning.DEFAULT);
    assertThat(tuned.priorities()).isEqualTo(plain.priorities());
    assertThat(tuned.sameResources(plain)).isFalse();
  }

  @Test
  void noPolicyLeftAnythingOut_noCause_evenWhenNothingIsHealthy() {
    ServiceRoute r = route("jakarta", "jakarta=C alibaba-sg=C aws-sg=C", Policy.of("p", "payments"));

    assertThat(r.noEndpointsCause()).isEmpty();
    assertThat(r.shares().values()).containsOnly(0);
  }

  @Test
  void sameInputs_equalRoutes() {
    Policy p = Policy.of("w", "payments").weighted(Map.of("alibaba-sg", 80, "aws-sg", 20));
    assertThat(route("jakarta", "jakarta=PP alibaba-sg=PC aws-sg=PP", p))
        .isEqualTo(route("jakarta", "jakarta=PP alibaba-sg=PC aws-sg=PP", p));
  }
}
