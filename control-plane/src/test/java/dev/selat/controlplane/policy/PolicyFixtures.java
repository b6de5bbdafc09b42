package dev.selat.controlplane.policy;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.selat.proto.v1.AvoidLink;
import dev.selat.proto.v1.Migration;
import dev.selat.proto.v1.MigrationState;
import dev.selat.proto.v1.OutlierDetection;
import dev.selat.proto.v1.RetryPolicy;
import dev.selat.proto.v1.RoutingMode;
import dev.selat.proto.v1.RoutingPolicy;
import dev.selat.proto.v1.RttBudget;
import dev.selat.proto.v1.Selector;
import dev.selat.proto.v1.Timeouts;
import java.util.List;
import java.util.Set;

/** Good policies of every kind, on the three-site layout (leased line, VPN), to mutate in tests. */
final class PolicyFixtures {
  static final Set<String> SITES = Set.of("jakarta", "alibaba-sg", "aws-sg");
  static final Set<String> LINKS = Set.of("leased-line", "vpn");
  static final PolicyParser PARSER = new PolicyParser(SITES, LINKS);

  private PolicyFixtures() {}

  static Duration ms(long ms) {
    return Duration.newBuilder().setSeconds(ms / 1000).setNanos((int) (ms % 1000) * 1_000_000).build();
  }

  static Selector.Builder services(String... names) {
    return Selector.newBuilder().addAllServices(List.of(names));
  }

  static RoutingPolicy residency() {
    return RoutingPolicy.newBuilder().setName("payments-in-jakarta").setSelector(services("payments"))
        .setMode(RoutingMode.PINNED).setPinnedSite("jakarta").build();
  }

  static RoutingPolicy localFirst() {
    return RoutingPolicy.newBuilder().setName("web-local").setSelector(services("web")).setMode(RoutingMode.LOCAL_FIRST)
        .build();
  }

  static RoutingPolicy weighted() {
    return RoutingPolicy.newBuilder().setName("search-weighted").setSelector(services("search").addClientSites("jakarta"))
        .setMode(RoutingMode.WEIGHTED).putSiteWeights("alibaba-sg", 80).putSiteWeights("aws-sg", 20).build();
  }

  static RoutingPolicy everything() {
    return RoutingPolicy.newBuilder().setName("catalog-all").setSelector(services("catalog", "catalog-*"))
        .setMode(RoutingMode.LOWEST_LATENCY).addAllowedSites("jakarta").addAllowedSites("alibaba-sg")
        .addDeniedSites("aws-sg")
        .setRttBudget(RttBudget.newBuilder().setMaxRtt(ms(30)).setOnExceeded(RttBudget.OnExceeded.FAIL_OVER))
        .addAvoidLinks(AvoidLink.newBuilder().setLink("vpn").setAction(AvoidLink.Action.PENALIZE).setPenalty(ms(20)))
        .addAvoidLinks(AvoidLink.newBuilder().setLink("leased-line").setAction(AvoidLink.Action.EXCLUDE))
        .setOutlierDetection(OutlierDetection.newBuilder().setConsecutive5Xx(3).setInterval(ms(5000))
            .setBaseEjectionTime(ms(10_000)).setMaxEjectionPercent(30))
        .setRetries(RetryPolicy.newBuilder().setRetryOn("5xx,connect-failure").setNumRetries(2).setPerTryTimeout(ms(500)))
        .setTimeouts(Timeouts.newBuilder().setConnect(ms(250)).setRequest(ms(3000)))
        .build();
  }

  static RoutingPolicy migration() {
    return RoutingPolicy.newBuilder().setName("move-search").setSelector(services("search"))
        .setMigration(Migration.newBuilder().setFromSite("aws-sg").setToSite("alibaba-sg").setTargetPercent(20)
            .setStepPercent(5).setInterval(ms(10_000))
            .setState(MigrationState.newBuilder().setPhase(MigrationState.Phase.RUNNING).setBasePercent(5)
                .setSince(Timestamp.newBuilder().setSeconds(1_796_000_000))))
        .build();
  }

  static List<RoutingPolicy> good() {
    return List.of(residency(), weighted(), everything(), migration());
  }
}
