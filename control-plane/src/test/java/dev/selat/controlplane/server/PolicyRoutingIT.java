package dev.selat.controlplane.server;

import static dev.selat.controlplane.cli.BootstrapCommandTest.bootstrapOut;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Duration;
import dev.selat.controlplane.config.ConfigLoader;
import dev.selat.controlplane.config.SelatConfig;
import dev.selat.proto.v1.ApplyPolicyRequest;
import dev.selat.proto.v1.AvoidLink;
import dev.selat.proto.v1.DeletePolicyRequest;
import dev.selat.proto.v1.ExplainRequest;
import dev.selat.proto.v1.MigrateRequest;
import dev.selat.proto.v1.Migration;
import dev.selat.proto.v1.PolicyServiceGrpc;
import dev.selat.proto.v1.RoutingPolicy;
import dev.selat.proto.v1.RttBudget;
import dev.selat.proto.v1.Selector;
import dev.selat.testkit.ConsulSite;
import dev.selat.testkit.EnvoyProcess;
import dev.selat.testkit.NamedBackend;
import dev.selat.testkit.Ports;
import dev.selat.testkit.ThreeSites;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Budgets, avoided links and a migration ramp through real Envoys in jakarta and alibaba-sg, counted at real gRPC
 * backends of service {@code search} in each site. Nominal RTTs: leased line 8 ms (jakarta-alibaba-sg), VPN 7 ms
 * (alibaba-sg-aws-sg), so from jakarta alibaba-sg is 8 ms and aws-sg 15 ms (over both); from alibaba-sg, aws-sg (7 ms)
 * and jakarta (8 ms) share a priority within the 2 ms tolerance. The control plane listens on a fixed xDS port so that
 * it can be restarted mid-ramp under the same Envoys.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyRoutingIT {
  private static final String TOKEN = "policy-routing-it";
  private static final int CALLS = 400;
  private static final Pattern RAMP = Pattern.compile("migration alibaba-sg -> aws-sg \\((\\w+), (\\d+)% of 20%\\)");
  private static ThreeSites sites;
  private static final Map<String, NamedBackend> backends = new TreeMap<>();
  private static SelatConfig config;
  private static ControlPlane cp;
  private static EnvoyProcess jakartaEnvoy;
  private static EnvoyProcess alibabaEnvoy;
  private static ManagedChannel fromJakarta;
  private static ManagedChannel fromAlibaba;
  private static ManagedChannel api;

  @BeforeAll
  static void start() throws Exception {
    sites = ThreeSites.start(false);
    for (String site : ThreeSites.IDS) {
      for (int i = 0; i < 2; i++) {
        NamedBackend b = new NamedBackend(site + "-search" + i);
        backends.put(site + i, b);
        sites.site(site).registerService("search", "search-" + site + "-" + i, "127.0.0.1", b.port(), List.of(),
            Map.of("protocol", "grpc"), new ConsulSite.Check(java.time.Duration.ofMinutes(10), ConsulSite.Health.PASSING));
      }
    }
    int xdsPort = Ports.freeTcpPort();
    String yaml = ItMesh.sitesYaml(sites, site -> "    startBudget: 10s\n") + """
        links:
          - { name: leased-line, sites: [jakarta, alibaba-sg], nominalRtt: 8ms }
          - { name: vpn, sites: [alibaba-sg, aws-sg], nominalRtt: 7ms }
        routing: { debounce: 50ms, maxDelay: 500ms }
        ports:
          xds: { address: 127.0.0.1, port: %d }
          admin: { address: 127.0.0.1, port: 0 }
        """.formatted(xdsPort);
    config = ConfigLoader.load(yaml, "PolicyRoutingIT", Map.of());
    cp = startControlPlane();
    String xds = "127.0.0.1:" + xdsPort;
    int jOut = Ports.freeTcpPort();
    int aOut = Ports.freeTcpPort();
    jakartaEnvoy = EnvoyProcess.start("jakarta-sidecar", bootstrapOut("bootstrap", "--site", "jakarta", "--region",
        "id-jkt", "--upstreams", "search", "--no-admin", "--xds-address", xds, "--outbound-port", String.valueOf(jOut)));
    alibabaEnvoy = EnvoyProcess.start("alibaba-sidecar", bootstrapOut("bootstrap", "--site", "alibaba-sg", "--region",
        "ap-southeast-1", "--upstreams", "search", "--no-admin", "--xds-address", xds, "--outbound-port",
        String.valueOf(aOut)));
    jakartaEnvoy.awaitHealthyHosts("search", 6, java.time.Duration.ofSeconds(60));
    alibabaEnvoy.awaitHealthyHosts("search", 6, java.time.Duration.ofSeconds(60));
    fromJakarta = channel("127.0.0.1:" + jOut);
    fromAlibaba = channel("127.0.0.1:" + aOut);
    api = Grpc.newChannelBuilder(xds, InsecureChannelCredentials.create()).build();
  }

  static ControlPlane startControlPlane() {
    ControlPlane started = ControlPlane.start(config, Map.of(ApiToken.VALUE_ENV, TOKEN));
    await().atMost(java.time.Duration.ofSeconds(30)).until(started::ready);
    return started;
  }

  @AfterAll
  static void stop() throws Exception {
    ItMesh.closeAll(api, fromJakarta, fromAlibaba, jakartaEnvoy, alibabaEnvoy, cp, sites, backends);
  }

  static ManagedChannel channel(String target) {
    return Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).overrideAuthority("search").build();
  }

  static PolicyServiceGrpc.PolicyServiceBlockingStub policies() {
    return PolicyServiceGrpc.newBlockingStub(api).withCallCredentials(PolicyIT.bearer(TOKEN))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  static void apply(RoutingPolicy.Builder p) {
    policies().apply(ApplyPolicyRequest.newBuilder().setPolicy(p).build());
  }

  static void delete(String name) {
    policies().delete(DeletePolicyRequest.newBuilder().setName(name).build());
  }

  static RoutingPolicy.Builder search(String name, String clientSite) {
    return RoutingPolicy.newBuilder().setName(name)
        .setSelector(Selector.newBuilder().addServices("search").addClientSites(clientSite));
  }

  static Duration ms(long ms) {
    return Duration.newBuilder().setSeconds(ms / 1000).setNanos((int) (ms % 1000) * 1_000_000).build();
  }

  static void health(String site, ConsulSite.Health h) {
    for (int i = 0; i < 2; i++) {
      sites.site(site).setCheck(ConsulSite.serviceCheckId("search-" + site + "-" + i), h);
    }
  }

  /** site -> calls answered there; failed calls under "failed". */
  static Map<String, Integer> split(ManagedChannel channel, int n) {
    Map<String, Integer> bySite = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      try {
        String who = ClientCalls.blockingUnaryCall(channel, NamedBackend.WHO,
            CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "who");
        bySite.merge(who.replaceAll("-search\\d$", ""), 1, Integer::sum);
      } catch (StatusRuntimeException e) {
        bySite.merge("failed", 1, Integer::sum);
      }
    }
    return bySite;
  }

  static double share(Map<String, Integer> split, String site) {
    return (double) split.getOrDefault(site, 0) / split.values().stream().mapToInt(Integer::intValue).sum();
  }

  @Test
  @Order(1)
  void budget10ms_fromJakarta_awsSgAt15msNeverUsed_failOverUsesItOnlyWhenNothingWithinIsHealthy() {
    apply(search("search-budget", "jakarta").setRttBudget(RttBudget.newBuilder().setMaxRtt(ms(10))
        .setOnExceeded(RttBudget.OnExceeded.FAIL_CLOSED)));
    health("jakarta", ConsulSite.Health.CRITICAL);
    try {
      await().atMost(java.time.Duration.ofSeconds(30)).until(() -> split(fromJakarta, 20).equals(Map.of("alibaba-sg", 20)));
      Map<String, Integer> closedOne = split(fromJakarta, CALLS);
      health("alibaba-sg", ConsulSite.Health.CRITICAL);
      await().atMost(java.time.Duration.ofSeconds(30)).until(() -> split(fromJakarta, 20).equals(Map.of("failed", 20)));
      Map<String, Integer> closedNone = split(fromJakarta, CALLS);

      apply(search("search-budget", "jakarta").setRttBudget(RttBudget.newBuilder().setMaxRtt(ms(10))
          .setOnExceeded(RttBudget.OnExceeded.FAIL_OVER)));
      await().atMost(java.time.Duration.ofSeconds(30)).until(() -> split(fromJakarta, 20).equals(Map.of("aws-sg", 20)));
      Map<String, Integer> overNone = split(fromJakarta, CALLS);
      health("alibaba-sg", ConsulSite.Health.PASSING);
      await().atMost(java.time.Duration.ofSeconds(30)).until(() -> split(fromJakarta, 20).equals(Map.of("alibaba-sg", 20)));
      Map<String, Integer> overOne = split(fromJakarta, CALLS);

      System.out.printf("budget 10 ms from jakarta (jakarta critical), %d calls each: fail closed %s, and alibaba-sg "
          + "critical %s; fail over, alibaba-sg critical %s, alibaba-sg back %s%n", CALLS, closedOne, closedNone, overNone,
          overOne);
      assertThat(closedOne).isEqualTo(Map.of("alibaba-sg", CALLS));
      assertThat(closedNone).isEqualTo(Map.of("failed", CALLS));
      assertThat(overNone).isEqualTo(Map.of("aws-sg", CALLS));
      assertThat(overOne).isEqualTo(Map.of("alibaba-sg", CALLS));
    } finally {
      health("jakarta", ConsulSite.Health.PASSING);
      health("alibaba-sg", ConsulSite.Health.PASSING);
      delete("search-budget");
    }
  }

  @Test
  @Order(2)
  void avoidTheVpn_fromJakarta_excludesAwsSg_penalizeFromAlibabaSg_movesItToLast() {
    health("jakarta", ConsulSite.Health.CRITICAL);
    health("alibaba-sg", ConsulSite.Health.CRITICAL);
    try {
      await().atMost(java.time.Duration.ofSeconds(30)).until(() -> split(fromJakarta, 20).equals(Map.of("aws-sg", 20)));
      apply(search("avoid-vpn", "jakarta").addAvoidLinks(AvoidLink.newBuilder().setLink("vpn")
          .setAction(AvoidLink.Action.EXCLUDE)));
      await().atMost(java.time.Duration.ofSeconds(30)).until(() -> split(fromJakarta, 20).equals(Map.of("failed", 20)));
      Map<String, Integer> excluded = split(fromJakarta, CALLS);

      // alibaba-sg's own instances are critical: aws-sg (7 ms, VPN) and jakarta (8 ms) share priority 1.
      health("jakarta", ConsulSite.Health.PASSING);
      await().atMost(java.time.Duration.ofSeconds(30))
          .until(() -> split(fromAlibaba, 40).keySet().equals(java.util.Set.of("aws-sg", "jakarta")));
      Map<String, Integer> shared = split(fromAlibaba, CALLS);
      apply(search("penalize-vpn", "alibaba-sg").addAvoidLinks(AvoidLink.newBuilder().setLink("vpn")
          .setAction(AvoidLink.Action.PENALIZE).setPenalty(ms(20))));
      await().atMost(java.time.Duration.ofSeconds(30)).until(() -> split(fromAlibaba, 20).equals(Map.of("jakarta", 20)));
      Map<String, Integer> penalized = split(fromAlibaba, CALLS);
      String explained = policies().explain(ExplainRequest.newBuilder().setService("search").setClientSite("alibaba-sg")
          .build()).getRoutes(0).getLocalitiesList().stream()
          .map(l -> l.getSite() + "@" + l.getPriority()).toList().toString();

      System.out.printf("avoid the VPN from jakarta (jakarta and alibaba-sg critical): %s; from alibaba-sg (own "
          + "critical): %s, the VPN penalized by 20 ms: %s, layout %s%n", excluded, shared, penalized, explained);
      assertThat(excluded).isEqualTo(Map.of("failed", CALLS));
      assertThat(share(shared, "aws-sg")).as("aws-sg 7 ms, jakarta 8 ms: weights 1000:875").isBetween(0.48, 0.58);
      assertThat(penalized).isEqualTo(Map.of("jakarta", CALLS));
      assertThat(explained).isEqualTo("[alibaba-sg@0, jakarta@1, aws-sg@2]");
    } finally {
      health("jakarta", ConsulSite.Health.PASSING);
      health("alibaba-sg", ConsulSite.Health.PASSING);
      delete("avoid-vpn");
      delete("penalize-vpn");
    }
  }

  /** The ramp's phase and percent, as Explain reports it for alibaba-sg's clients (null until the engine has it). */
  static Matcher ramp() {
    for (String line : policies().explain(ExplainRequest.newBuilder().setService("search").setClientSite("alibaba-sg")
        .build()).getRoutes(0).getPoliciesList()) {
      Matcher m = RAMP.matcher(line);
      if (m.find()) {
        return m;
      }
    }
    return null;
  }

  /** -1 until the engine has the migration. */
  static int percent() {
    Matcher m = ramp();
    return m == null ? -1 : Integer.parseInt(m.group(2));
  }

  /**
   * Once Explain reports {@code step}% and Envoy has it (Explain computes at the moment it is asked, the published
   * route follows within the engine's tick and debounce), the measured share moved to aws-sg, in percent.
   */
  static double measuredAt(int step) {
    await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(200))
        .until(() -> percent() == step);
    await().atMost(java.time.Duration.ofSeconds(5)).pollInterval(java.time.Duration.ofMillis(100))
        .until(() -> Math.abs(share(split(fromAlibaba, 100), "aws-sg") * 100 - step) <= 2);
    return share(split(fromAlibaba, CALLS), "aws-sg") * 100;
  }

  @Test
  @Order(3)
  void migration_0to20InFivePointSteps_eachStepMeasured_pauseHolds_restartResumesAtTheStep_rollbackReturnsToZero()
      throws Exception {
    // What the tests before restored has reached Envoy: alibaba-sg's clients stay local.
    await().atMost(java.time.Duration.ofSeconds(30)).until(() -> split(fromAlibaba, 50).equals(Map.of("alibaba-sg", 50)));
    apply(search("move-search", "alibaba-sg").setMigration(Migration.newBuilder().setFromSite("alibaba-sg")
        .setToSite("aws-sg").setTargetPercent(20).setStepPercent(5).setInterval(ms(10_000))));
    assertThat(split(fromAlibaba, 100)).as("pending: nothing moves").isEqualTo(Map.of("alibaba-sg", 100));
    policies().migrate(MigrateRequest.newBuilder().setName("move-search").setAction(MigrateRequest.Action.START).build());

    Map<Integer, Double> measured = new TreeMap<>();
    measured.put(5, measuredAt(5));
    measured.put(10, measuredAt(10));

    cp.close();
    cp = startControlPlane();
    int afterRestart = percent();
    double restartShare = measuredAt(afterRestart);

    measured.put(15, measuredAt(15));
    policies().migrate(MigrateRequest.newBuilder().setName("move-search").setAction(MigrateRequest.Action.PAUSE).build());
    await().atMost(java.time.Duration.ofSeconds(10)).until(() -> ramp() != null && ramp().group(1).equals("PAUSED"));
    int held = percent();
    await().during(java.time.Duration.ofSeconds(12)).pollDelay(java.time.Duration.ZERO)
        .atMost(java.time.Duration.ofSeconds(15)).until(() -> percent() == held);
    assertThat(ramp().group(1)).isEqualTo("PAUSED");
    double pausedShare = share(split(fromAlibaba, CALLS), "aws-sg") * 100;
    policies().migrate(MigrateRequest.newBuilder().setName("move-search").setAction(MigrateRequest.Action.RESUME).build());
    measured.put(20, measuredAt(20));
    policies().migrate(MigrateRequest.newBuilder().setName("move-search").setAction(MigrateRequest.Action.ROLLBACK)
        .build());
    await().atMost(java.time.Duration.ofSeconds(30)).until(() -> split(fromAlibaba, 50).equals(Map.of("alibaba-sg", 50)));
    Map<String, Integer> rolledBack = split(fromAlibaba, CALLS);

    System.out.printf("migration alibaba-sg -> aws-sg, %d calls per step: measured %% moved %s; control plane "
        + "restarted at 10%%, resumed at %d%% (measured %.1f%%); paused at %d%% (measured %.1f%% after 12 s); rolled back %s%n",
        CALLS, measured, afterRestart, restartShare, held, pausedShare, rolledBack);
    measured.forEach((step, got) -> assertThat(got).as("step %d%%", step).isBetween(step - 5.0, step + 5.0));
    assertThat(afterRestart).as("not back to the first step").isIn(10, 15);
    assertThat(restartShare).isBetween(afterRestart - 5.0, afterRestart + 5.0);
    assertThat(pausedShare).isBetween(held - 5.0, held + 5.0);
    assertThat(rolledBack).isEqualTo(Map.of("alibaba-sg", CALLS));
    delete("move-search");
  }
}
