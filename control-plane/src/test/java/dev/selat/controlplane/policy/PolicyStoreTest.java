package dev.selat.controlplane.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selat.proto.v1.RoutingPolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The store's rules on a hand-written {@link SiteKv}: Consul's check-and-set, and sites that fail between calls. */
class PolicyStoreTest {
  /** Three sites' KV in memory; a site in {@code failPuts} answers reads but fails writes (it went down in between). */
  static final class FakeKv implements SiteKv {
    final Map<String, Map<String, Entry>> sites = new TreeMap<>();
    final Set<String> failPuts = new HashSet<>();
    long index = 100;

    FakeKv(String... ids) {
      for (String id : ids) {
        sites.put(id, new TreeMap<>());
      }
    }

    @Override
    public synchronized Optional<Entry> read(String site, String key) {
      return Optional.ofNullable(sites.get(site).get(key));
    }

    @Override
    public synchronized List<Entry> list(String site, String prefix) {
      return new ArrayList<>(sites.get(site).values());
    }

    @Override
    public synchronized boolean put(String site, String key, String value, long cas) {
      if (failPuts.contains(site)) {
        throw new SiteUnavailableException(site, "site " + site + ": PUT failed: no response", null);
      }
      Entry now = sites.get(site).get(key);
      if (cas == 0 ? now != null : now == null || now.modifyIndex() != cas) {
        return false;
      }
      sites.get(site).put(key, new Entry(key, value, ++index));
      return true;
    }

    @Override
    public synchronized boolean delete(String site, String key, long cas) {
      Entry now = sites.get(site).get(key);
      if (now != null && now.modifyIndex() == cas) {
        sites.get(site).remove(key);
        return true;
      }
      return now == null;
    }
  }

  static RoutingPolicy pinned(String site) {
    return PolicyFixtures.residency().toBuilder().setPinnedSite(site).build();
  }

  @Test
  void writesThatFailAfterTheRead_leaveNoMajority_andTheOneThatStoodIsPutBack() throws Exception {
    FakeKv kv = new FakeKv("a", "b", "c");
    PolicyStore store = new PolicyStore(kv, List.of("a", "b", "c"));
    store.apply(pinned("jakarta"), OptionalLong.of(0));
    String before = kv.sites.get("a").get("selat/policies/payments-in-jakarta").value();
    kv.failPuts.addAll(Set.of("b", "c"));

    assertThatThrownBy(() -> store.apply(pinned("aws-sg"), OptionalLong.of(1)))
        .isInstanceOfSatisfying(PolicyStoreException.class, e -> {
          assertThat(e.kind()).isEqualTo(PolicyStoreException.Kind.NO_MAJORITY);
          assertThat(e.getMessage()).contains("1 of 3 sites stored revision 2", "put back on [a]", "site b", "site c");
        });
    assertThat(kv.sites.get("a").get("selat/policies/payments-in-jakarta").value()).as("put back").isEqualTo(before);
    assertThat(store.get("payments-in-jakarta").map(RoutingPolicy::getRevision)).contains(1L);
  }

  @Test
  void aNewPolicyThatCannotStand_isRemovedFromTheSiteThatTookIt() {
    FakeKv kv = new FakeKv("a", "b", "c");
    kv.failPuts.addAll(Set.of("b", "c"));
    PolicyStore store = new PolicyStore(kv, List.of("a", "b", "c"));

    assertThatThrownBy(() -> store.apply(pinned("jakarta"), OptionalLong.empty())).isInstanceOf(PolicyStoreException.class);
    assertThat(kv.sites.get("a")).isEmpty();
  }

  @Test
  void equalRevisions_theValueMoreSitesHoldWins() {
    RoutingPolicy x = pinned("jakarta").toBuilder().setRevision(4).build();
    RoutingPolicy y = pinned("aws-sg").toBuilder().setRevision(4).build();
    RoutingPolicy old = pinned("alibaba-sg").toBuilder().setRevision(3).build();

    assertThat(PolicyStore.winner(List.of(y, x, x, old))).contains(x);
    assertThat(PolicyStore.winner(List.of(old, y))).contains(y);
    assertThat(PolicyStore.winner(List.of(x, y))).as("a tie on both: the smaller JSON, the same on every replica")
        .isEqualTo(PolicyStore.winner(List.of(y, x)));
  }

  @Test
  void aNameThatWouldReachAnotherKey_isRefused() {
    PolicyStore store = new PolicyStore(new FakeKv("a"), List.of("a"));

    assertThatThrownBy(() -> store.delete("../../x", OptionalLong.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("name: ");
    assertThatThrownBy(() -> store.get("a/b")).isInstanceOf(IllegalArgumentException.class);
  }
}
