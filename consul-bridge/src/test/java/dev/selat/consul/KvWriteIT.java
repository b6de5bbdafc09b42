package dev.selat.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selat.testkit.ConsulSite;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * KV writes through the bridge, as Consul answers them: PUT with and without {@code ?cas=} (0: only if absent), DELETE
 * with {@code ?cas=}, {@code /v1/txn} all or nothing; concurrent check-and-sets on one index: exactly one wins; a token
 * that may only read is refused, naming the site and the path.
 */
class KvWriteIT {
  static ConsulSite site;
  static ConsulSite aclSite;
  static ConsulBridge bridge;
  static final String DC = "jakarta";

  @BeforeAll
  static void start() {
    site = ConsulSite.start(ConsulSite.Options.builder(DC).build());
    aclSite = ConsulSite.start(ConsulSite.Options.builder("aws-sg").acl("deny").build());
    String readOnly = aclSite.createToken("key_prefix \"\" { policy = \"read\" }\nnode_prefix \"\" { policy = \"read\" }\n"
        + "service_prefix \"\" { policy = \"read\" }");
    bridge = ConsulBridge.start(List.of(ItSites.config(site).build(), ItSites.config(aclSite).token(readOnly).build()),
        new SimpleMeterRegistry(), Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    if (bridge != null) {
      bridge.close();
    }
    if (aclSite != null) {
      aclSite.close();
    }
    if (site != null) {
      site.close();
    }
  }

  @Test
  void put_thenRead_returnsTheValueAndItsModifyIndex() {
    String value = "{\"name\":\"payments\",\"note\":\"jakarta \u00e9 \u65e5\u672c\"}";
    assertThat(bridge.putKv(DC, "t/put/payments", value, OptionalLong.empty())).isTrue();

    KvEntry read = bridge.readKv(DC, "t/put/payments").orElseThrow();
    assertThat(read.value()).contains(value);
    assertThat(read.modifyIndex()).isPositive();
    assertThat(site.kvGet("t/put/payments")).contains(value);
    assertThat(bridge.readKv(DC, "t/put/pay")).as("a key, not a prefix").isEmpty();
  }

  @Test
  void casZero_createsOnlyWhenAbsent() {
    assertThat(bridge.putKv(DC, "t/create/a", "one", OptionalLong.of(0))).isTrue();
    assertThat(bridge.putKv(DC, "t/create/a", "two", OptionalLong.of(0))).isFalse();
    assertThat(bridge.readKv(DC, "t/create/a").flatMap(KvEntry::value)).contains("one");
  }

  @Test
  void casWithAStaleIndex_isRefused_andTheCurrentIndexWins() {
    bridge.putKv(DC, "t/cas/a", "one", OptionalLong.empty());
    long first = bridge.readKv(DC, "t/cas/a").orElseThrow().modifyIndex();
    assertThat(bridge.putKv(DC, "t/cas/a", "two", OptionalLong.of(first))).isTrue();

    assertThat(bridge.putKv(DC, "t/cas/a", "three", OptionalLong.of(first))).isFalse();
    assertThat(bridge.readKv(DC, "t/cas/a").flatMap(KvEntry::value)).contains("two");
  }

  @Test
  void deleteWithCas_staleRefused_currentDeletes_absentCountsAsDeleted() {
    bridge.putKv(DC, "t/del/a", "one", OptionalLong.empty());
    long index = bridge.readKv(DC, "t/del/a").orElseThrow().modifyIndex();

    assertThat(bridge.deleteKv(DC, "t/del/a", OptionalLong.of(index - 1))).isFalse();
    assertThat(bridge.readKv(DC, "t/del/a")).isPresent();
    assertThat(bridge.deleteKv(DC, "t/del/a", OptionalLong.of(index))).isTrue();
    assertThat(bridge.readKv(DC, "t/del/a")).isEmpty();
    assertThat(bridge.deleteKv(DC, "t/del/a", OptionalLong.of(index))).isTrue();
  }

  @Test
  void txn_oneFailedOperation_writesNothing_andNamesTheOperation() {
    bridge.putKv(DC, "t/txn/existing", "old", OptionalLong.empty());
    long index = bridge.readKv(DC, "t/txn/existing").orElseThrow().modifyIndex();

    TxnResult r = bridge.txn(DC, List.of(KvOp.cas("t/txn/new", "n", 0), KvOp.cas("t/txn/existing", "x", index + 1000)));

    assertThat(r.committed()).isFalse();
    assertThat(r.errors()).singleElement().satisfies(e -> assertThat(e).startsWith("op 1: ").contains("t/txn/existing"));
    assertThat(bridge.readKv(DC, "t/txn/new")).isEmpty();
    assertThat(bridge.readKv(DC, "t/txn/existing").flatMap(KvEntry::value)).contains("old");
  }

  @Test
  void txn_allSucceed_commitsEveryOperation_andReturnsTheReads() {
    bridge.putKv(DC, "t/txn2/read", "r", OptionalLong.empty());
    long index = bridge.readKv(DC, "t/txn2/read").orElseThrow().modifyIndex();

    TxnResult r = bridge.txn(DC, List.of(KvOp.checkIndex("t/txn2/read", index), KvOp.checkNotExists("t/txn2/a"),
        KvOp.set("t/txn2/a", "A"), KvOp.cas("t/txn2/b", "B", 0), KvOp.get("t/txn2/read")));

    assertThat(r.committed()).isTrue();
    assertThat(r.errors()).isEmpty();
    assertThat(r.index()).isPositive();
    assertThat(r.results()).extracting(KvEntry::key).contains("t/txn2/a", "t/txn2/b", "t/txn2/read");
    assertThat(r.results()).filteredOn(e -> e.key().equals("t/txn2/read") && e.value().isPresent())
        .singleElement().satisfies(e -> assertThat(e.value()).contains("r"));
    assertThat(bridge.readKv(DC, "t/txn2/a").flatMap(KvEntry::value)).contains("A");
    assertThat(bridge.readKv(DC, "t/txn2/b").flatMap(KvEntry::value)).contains("B");
  }

  @Test
  void concurrentCasOnOneIndex_exactlyOneWins() throws Exception {
    bridge.putKv(DC, "t/race/a", "start", OptionalLong.empty());
    long index = bridge.readKv(DC, "t/race/a").orElseThrow().modifyIndex();
    List<Callable<Boolean>> writers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String value = "writer-" + i;
      writers.add(() -> bridge.putKv(DC, "t/race/a", value, OptionalLong.of(index)));
    }
    List<Boolean> won = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Future<Boolean> f : pool.invokeAll(writers)) {
        won.add(f.get());
      }
    }

    assertThat(won).containsOnlyOnce(true);
    assertThat(bridge.readKv(DC, "t/race/a").flatMap(KvEntry::value)).hasValueSatisfying(v -> assertThat(v).startsWith("writer-"));
  }

  @Test
  void aReadOnlyToken_isRefusedOnWrite_namingTheSiteAndPath_neverTheToken() {
    assertThatThrownBy(() -> bridge.putKv("aws-sg", "selat/policies/p", "{}", OptionalLong.of(0)))
        .isInstanceOfSatisfying(ConsulQueryException.class, e -> {
          assertThat(e.isDenied()).isTrue();
          assertThat(e.getMessage()).contains("site aws-sg", "PUT /v1/kv/selat/policies/p");
        });
    assertThat(bridge.readKv("aws-sg", "selat/policies/p")).isEqualTo(Optional.empty());
  }
}
