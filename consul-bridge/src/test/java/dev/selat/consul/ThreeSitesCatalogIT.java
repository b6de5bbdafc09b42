package dev.selat.consul;

import static dev.selat.consul.ItSites.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.testkit.ConsulSite;
import dev.selat.testkit.ConsulSite.Check;
import dev.selat.testkit.ConsulSite.Health;
import dev.selat.testkit.ThreeSites;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each of the three sites: every kind of catalog change reaches the bridge's snapshot of that site. */
class ThreeSitesCatalogIT {
  @RegisterExtension
  static final ThreeSites SITES = ThreeSites.extension(false);

  private static final CatalogRecorder recorder = new CatalogRecorder();
  private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private static ConsulBridge bridge;

  @BeforeAll
  static void startBridge() {
    // aws-sg reads with ?stale (any server answers), the others from the leader.
    bridge = ConsulBridge.start(SITES.all().stream().map(s -> ItSites.config(s)
        .consistency(s.datacenter().equals(ThreeSites.AWS_SG) ? ConsistencyMode.STALE : ConsistencyMode.DEFAULT)
        .build()).toList(), registry, Clock.systemUTC());
    bridge.addListener(Runnable::run, recorder);
    for (String id : ThreeSites.IDS) {
      await("site " + id + " synced").atMost(BOUND)
          .until(() -> recorder.has(id) && recorder.latest(id).freshness().state() == SyncState.SYNCED);
    }
  }

  @AfterAll
  static void stopBridge() {
    bridge.close();
  }

  @Test
  void everySite_lifecycleOfAnInstance_snapshotFollows() {
    for (ConsulSite site : SITES.all()) {
      String id = site.datacenter();
      String web = "web-" + id;
      long generation = recorder.latest(id).generation();

      site.registerService("web", web, "10.1.0.1", 8080, List.of("v1"), Map.of("version", "1"), Check.manual(Health.PASSING));
      await("register in " + id).atMost(BOUND).until(() -> recorder.instance(id, "web", web) != null);
      ServiceInstance registered = recorder.instance(id, "web", web);
      assertThat(registered.address()).isEqualTo("10.1.0.1");
      assertThat(registered.port()).isEqualTo(8080);
      assertThat(registered.tags()).containsExactly("v1");
      assertThat(registered.meta()).containsEntry("version", "1");
      assertThat(registered.node()).isEqualTo(site.nodeName());
      assertThat(registered.status()).isEqualTo(HealthStatus.PASSING);
      assertThat(recorder.latest(id).generation()).isGreaterThan(generation);
      assertThat(recorder.latest(id).delta().changed()).contains("web");

      site.setCheck(ConsulSite.serviceCheckId(web), Health.CRITICAL);
      await("critical in " + id).atMost(BOUND).until(() -> recorder.instance(id, "web", web).status() == HealthStatus.CRITICAL);

      site.setCheck(ConsulSite.serviceCheckId(web), Health.WARNING);
      await("warning in " + id).atMost(BOUND).until(() -> recorder.instance(id, "web", web).status() == HealthStatus.WARNING);

      site.registerService("web", web, "10.1.0.99", 8080, List.of("v1"), Map.of("version", "1"), Check.manual(Health.PASSING));
      await("address change in " + id).atMost(BOUND).until(() -> "10.1.0.99".equals(recorder.instance(id, "web", web).address()));

      site.serviceMaintenance(web, true);
      await("maintenance in " + id).atMost(BOUND)
          .until(() -> recorder.instance(id, "web", web).status() == HealthStatus.MAINTENANCE);
      site.serviceMaintenance(web, false);
      await("maintenance off in " + id).atMost(BOUND)
          .until(() -> recorder.instance(id, "web", web).status() != HealthStatus.MAINTENANCE);

      site.deregisterService(web);
      await("deregister in " + id).atMost(BOUND).until(() -> recorder.latest(id).service("web").isEmpty());
      assertThat(recorder.latest(id).delta().removed()).contains("web");
    }
  }

  @Test
  void sites_areIndependent_aChangeInOneLeavesOthersUntouched() {
    long alibaba = recorder.latest(ThreeSites.ALIBABA_SG).generation();
    long aws = recorder.latest(ThreeSites.AWS_SG).generation();

    SITES.jakarta().registerService("payments", "payments-1", "10.2.0.1", 9000, List.of(), Map.of(), null);

    await().atMost(BOUND).until(() -> recorder.instance(ThreeSites.JAKARTA, "payments", "payments-1") != null);
    assertThat(recorder.latest(ThreeSites.ALIBABA_SG).service("payments")).isEmpty();
    assertThat(recorder.latest(ThreeSites.ALIBABA_SG).generation()).isEqualTo(alibaba);
    assertThat(recorder.latest(ThreeSites.AWS_SG).generation()).isEqualTo(aws);
    SITES.jakarta().deregisterService("payments-1");
  }

  @Test
  void watchKv_policyPrefix_deliversWritesAndDeletes() {
    ConsulSite site = SITES.awsSg();
    List<KvSnapshot> snapshots = new CopyOnWriteArrayList<>();
    site.kvPut("selat/policies/residency", "v1");
    bridge.watchKv(site.datacenter(), "selat/policies/", Runnable::run, snapshots::add);

    await().atMost(BOUND).until(() -> changes(snapshots).stream().anyMatch(c -> c.value().equals(Optional.of("v1"))));
    site.kvPut("selat/policies/residency", "v2");
    await().atMost(BOUND).until(() -> changes(snapshots).stream().anyMatch(c -> c.value().equals(Optional.of("v2"))));
    site.kvDelete("selat/policies/residency");
    await().atMost(BOUND).until(() -> changes(snapshots).stream().anyMatch(KvChange::deleted));
    assertThat(changes(snapshots)).allMatch(c -> c.key().equals("selat/policies/residency"));
    assertThat(snapshots.get(snapshots.size() - 1).state()).isEqualTo(KvState.EMPTY);
  }

  /** Consul answers 404 for a prefix without keys: the bridge says EMPTY, which a listener tells apart from NOT_READ_YET. */
  @Test
  void watchKv_missingKey_emptyThenPresentThenEmptyAgain() throws Exception {
    ConsulSite site = SITES.jakarta();
    String key = "selat/absent/policy";
    java.net.http.HttpResponse<String> answer;
    try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
      answer = http.send(java.net.http.HttpRequest.newBuilder(site.httpAddress().resolve("/v1/kv/" + key + "?recurse"))
          .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }
    assertThat(answer.statusCode()).as("Consul's answer for a missing key").isEqualTo(404);
    List<KvSnapshot> snapshots = new CopyOnWriteArrayList<>();

    bridge.watchKv(site.datacenter(), key, Runnable::run, snapshots::add);

    await("empty").atMost(BOUND).until(() -> !snapshots.isEmpty() && last(snapshots).state() == KvState.EMPTY);
    site.kvPut(key, "payments in jakarta");
    await("present").atMost(BOUND).until(() -> last(snapshots).state() == KvState.PRESENT);
    assertThat(last(snapshots).value(key)).contains("payments in jakarta");
    site.kvDelete(key);
    await("empty again").atMost(BOUND).until(() -> last(snapshots).state() == KvState.EMPTY);
    assertThat(last(snapshots).changes()).extracting(KvChange::key, KvChange::deleted)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(key, true));
    assertThat(snapshots).extracting(KvSnapshot::state).startsWith(KvState.NOT_READ_YET, KvState.EMPTY);
  }

  private static KvSnapshot last(List<KvSnapshot> snapshots) {
    return snapshots.get(snapshots.size() - 1);
  }

  private static List<KvChange> changes(List<KvSnapshot> snapshots) {
    return snapshots.stream().flatMap(s -> s.changes().stream()).toList();
  }
}
