package dev.selat.controlplane.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selat.consul.ConsulBridge;
import dev.selat.consul.SiteConfig;
import dev.selat.controlplane.mesh.BridgeKv;
import dev.selat.proto.v1.RoutingMode;
import dev.selat.proto.v1.RoutingPolicy;
import dev.selat.testkit.ConsulSite;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The policy store on three sites' Consul (jakarta and alibaba-sg as processes with a data dir, so that they can be
 * killed and come back with what they held): a majority write, refused without a majority with nothing half-written,
 * a site that comes back repaired to the winning revision, concurrent applies on one expected revision with exactly
 * one winner, deletes that a returning site cannot undo.
 */
class PolicyStoreIT {
  static final List<String> SITES = List.of("jakarta", "alibaba-sg", "aws-sg");
  static Map<String, ConsulSite> consul;
  static ConsulBridge bridge;
  static PolicyStore store;

  @BeforeAll
  static void start() {
    consul = Map.of(
        "jakarta", ConsulSite.start(ConsulSite.Options.builder("jakarta").process(true).build()),
        "alibaba-sg", ConsulSite.start(ConsulSite.Options.builder("alibaba-sg").process(true).build()),
        "aws-sg", ConsulSite.start(ConsulSite.Options.builder("aws-sg").build()));
    List<SiteConfig> configs = SITES.stream().map(id -> SiteConfig.builder(id, "region-" + id)
        .addresses(List.of(consul.get(id).httpAddress())).datacenter(id)
        .backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).blockingWait(Duration.ofSeconds(10)).build()).toList();
    bridge = ConsulBridge.start(configs, new SimpleMeterRegistry(), Clock.systemUTC());
    store = new PolicyStore(new BridgeKv(bridge), SITES);
  }

  @AfterAll
  static void stop() {
    if (bridge != null) {
      bridge.close();
    }
    if (consul != null) {
      consul.values().forEach(ConsulSite::close);
    }
  }

  static RoutingPolicy pinned(String name, String site) {
    return RoutingPolicy.newBuilder().setName(name).setSelector(PolicyFixtures.services("payments"))
        .setMode(RoutingMode.PINNED).setPinnedSite(site).build();
  }

  /** What each site's Consul holds at the policy's key: site -> revision (0: absent), read over Consul's own API. */
  static Map<String, Long> revisions(String name) {
    return SITES.stream().collect(Collectors.toMap(Function.identity(), s -> consul.get(s)
        .kvGet(PolicyStore.PREFIX + name).map(PolicyStoreIT::revisionOf).orElse(0L)));
  }

  static long revisionOf(String json) {
    try {
      RoutingPolicy.Builder b = RoutingPolicy.newBuilder();
      com.google.protobuf.util.JsonFormat.parser().merge(json, b);
      return b.getRevision();
    } catch (Exception e) {
      throw new AssertionError(json, e);
    }
  }

  @Test
  void apply_allSitesUp_writesEveryOne_andGetReturnsIt() throws Exception {
    PolicyStore.Written w = store.apply(pinned("all-up", "jakarta"), OptionalLong.of(0));

    assertThat(w.writtenSites()).containsExactlyElementsOf(SITES);
    assertThat(w.policy().getRevision()).isEqualTo(1);
    assertThat(store.get("all-up")).contains(w.policy());
    assertThat(revisions("all-up")).containsOnly(Map.entry("jakarta", 1L), Map.entry("alibaba-sg", 1L),
        Map.entry("aws-sg", 1L));
    assertThatThrownBy(() -> store.apply(pinned("all-up", "aws-sg"), OptionalLong.of(0)))
        .isInstanceOfSatisfying(PolicyStoreException.class, e -> {
          assertThat(e.kind()).isEqualTo(PolicyStoreException.Kind.CONFLICT);
          assertThat(e.getMessage()).contains("expected revision 0, stored is 1");
        });
  }

  @Test
  void concurrentApplies_withTheSameExpectedRevision_exactlyOneWins() throws Exception {
    store.apply(pinned("race", "jakarta"), OptionalLong.of(0));
    List<Callable<Object>> writers = new ArrayList<>();
    for (String site : List.of("alibaba-sg", "aws-sg", "alibaba-sg", "aws-sg", "alibaba-sg", "aws-sg")) {
      writers.add(() -> {
        try {
          return store.apply(pinned("race", site), OptionalLong.of(1));
        } catch (PolicyStoreException e) {
          return e;
        }
      });
    }
    List<Object> outcomes = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Future<Object> f : pool.invokeAll(writers)) {
        outcomes.add(f.get());
      }
    }

    List<PolicyStore.Written> won = outcomes.stream().filter(o -> o instanceof PolicyStore.Written)
        .map(o -> (PolicyStore.Written) o).toList();
    assertThat(won).hasSize(1);
    assertThat(outcomes).filteredOn(o -> o instanceof PolicyStoreException).hasSize(5)
        .allSatisfy(o -> assertThat(((PolicyStoreException) o).kind()).isEqualTo(PolicyStoreException.Kind.CONFLICT));
    assertThat(store.get("race")).contains(won.getFirst().policy());
    store.repair();
    assertThat(revisions("race").values()).containsOnly(2L);
  }

  @Test
  void oneSiteDown_writesTwoOfThree_twoDown_refusesAndWritesNothing_theReturningSitesAreRepaired() throws Exception {
    store.apply(pinned("outage", "jakarta"), OptionalLong.of(0));
    ConsulSite jakarta = consul.get("jakarta");
    ConsulSite alibaba = consul.get("alibaba-sg");
    jakarta.kill9();
    try {
      PolicyStore.Written two = store.apply(pinned("outage", "alibaba-sg"), OptionalLong.of(1));
      assertThat(two.writtenSites()).containsExactly("alibaba-sg", "aws-sg");
      assertThat(two.policy().getRevision()).isEqualTo(2);

      alibaba.kill9();
      try {
        assertThatThrownBy(() -> store.apply(pinned("outage", "aws-sg"), OptionalLong.of(2)))
            .isInstanceOfSatisfying(PolicyStoreException.class, e -> {
              assertThat(e.kind()).isEqualTo(PolicyStoreException.Kind.NO_MAJORITY);
              assertThat(e.getMessage()).contains("only 1 of 3 sites' Consul answered, a write needs 2")
                  .contains("site jakarta").contains("site alibaba-sg");
            });
        assertThat(consul.get("aws-sg").kvGet(PolicyStore.PREFIX + "outage").map(PolicyStoreIT::revisionOf))
            .as("nothing half-written").contains(2L);
        assertThat(store.get("outage")).contains(two.policy());
      } finally {
        alibaba.restart();
      }
    } finally {
      jakarta.restart();
    }

    assertThat(revisions("outage")).as("jakarta comes back with what it held")
        .containsEntry("jakarta", 1L).containsEntry("alibaba-sg", 2L);
    assertThat(store.get("outage").map(RoutingPolicy::getPinnedSite)).contains("alibaba-sg");
    assertThat(store.repair()).contains("jakarta: outage revision 2");
    assertThat(revisions("outage").values()).containsOnly(2L);
    assertThat(store.repair()).as("nothing left to repair").noneMatch(r -> r.contains("outage"));
  }

  @Test
  void delete_leavesATombstone_thatASiteDownDuringTheDeleteCannotUndo() throws Exception {
    store.apply(pinned("doomed", "jakarta"), OptionalLong.of(0));
    ConsulSite jakarta = consul.get("jakarta");
    jakarta.kill9();
    try {
      PolicyStore.Written gone = store.delete("doomed", OptionalLong.of(1));
      assertThat(gone.writtenSites()).containsExactly("alibaba-sg", "aws-sg");
    } finally {
      jakarta.restart();
    }

    assertThat(revisions("doomed")).containsEntry("jakarta", 1L);
    assertThat(store.get("doomed")).isEmpty();
    assertThat(store.list()).extracting(RoutingPolicy::getName).doesNotContain("doomed");
    store.repair();
    assertThat(revisions("doomed").values()).containsOnly(2L);
    assertThatThrownBy(() -> store.delete("doomed", OptionalLong.empty()))
        .isInstanceOfSatisfying(PolicyStoreException.class,
            e -> assertThat(e.kind()).isEqualTo(PolicyStoreException.Kind.NOT_FOUND));
    PolicyStore.Written again = store.apply(pinned("doomed", "aws-sg"), OptionalLong.of(0));
    assertThat(again.policy().getRevision()).as("above the tombstone's").isEqualTo(3);
  }
}
