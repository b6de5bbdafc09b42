package dev.selat.emulator.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateStoreTest {
  private final StateStore store = new StateStore(Journal.NONE);

  static Node node(String name) {
    return new Node("", name, "10.0.0.1", "dc1", Map.of(), Map.of(), 0, 0);
  }

  static ServiceInstance service(String node, String name) {
    return new ServiceInstance(node, "", name, name, List.of("v1"), "", null, Map.of(), 80, 1, 1, false, null, null,
        null, 0, 0);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void write_functionThrows_nothingCommittedAndIndexUnchanged() {
    store.write(tx -> {
      Kv.set(tx, "a", bytes("1"), 0);
      return null;
    });
    long before = store.lastIndex();
    assertThatThrownBy(() -> store.write(tx -> {
      Kv.set(tx, "b", bytes("2"), 0);
      throw new StateException("boom");
    })).isInstanceOf(StateException.class);
    assertThat(store.lastIndex()).isEqualTo(before);
    var v1 = store.read(r -> Kv.get(r, "b"));
    assertThat(v1).isEmpty();
  }

  @Test
  void serviceIndex_otherServiceChanges_doesNotMove() {
    store.write(tx -> {
      Catalog.ensureNode(tx, node("n1"));
      Catalog.ensureService(tx, service("n1", "a"));
      Catalog.ensureService(tx, service("n1", "b"));
      return null;
    });
    long a = store.read(r -> Catalog.serviceQueryIndex(r, "a", true));
    store.write(tx -> {
      Catalog.ensureService(tx, new ServiceInstance("n1", "", "b", "b", List.of("v2"), "", null, Map.of(), 81, 1, 1,
          false, null, null, null, 0, 0));
      return null;
    });
    var v2 = store.read(r -> Catalog.serviceQueryIndex(r, "a", true));
    assertThat(v2).isEqualTo(a);
    var v3 = store.read(r -> Catalog.serviceQueryIndex(r, "b", true));
    assertThat(v3).isGreaterThan(a);
  }

  @Test
  void nodeCheck_goesCritical_movesIndexOfEveryServiceOnNode() {
    store.write(tx -> {
      Catalog.ensureNode(tx, node("n1"));
      Catalog.ensureService(tx, service("n1", "a"));
      return null;
    });
    long before = store.read(r -> Catalog.serviceQueryIndex(r, "a", true));
    store.write(tx -> {
      Catalog.ensureCheck(tx, new HealthCheck("n1", "disk", "disk", HealthCheck.CRITICAL, "", "", "", "", List.of(),
          "", null, 0, 0));
      return null;
    });
    var v4 = store.read(r -> Catalog.serviceQueryIndex(r, "a", true));
    assertThat(v4).isGreaterThan(before);
  }

  @Test
  void sameRegistration_writtenTwice_keepsModifyIndex() {
    store.write(tx -> {
      Catalog.ensureNode(tx, node("n1"));
      Catalog.ensureService(tx, service("n1", "a"));
      return null;
    });
    long modify = store.read(r -> r.<ServiceInstance>get(Table.SERVICES, Table.nodeKey("n1", "a")).orElseThrow())
        .modifyIndex();
    store.write(tx -> {
      Catalog.ensureService(tx, service("n1", "a"));
      return null;
    });
    long after = store.read(r -> r.<ServiceInstance>get(Table.SERVICES, Table.nodeKey("n1", "a")).orElseThrow())
        .modifyIndex();
    assertThat(after).isEqualTo(modify);
  }

  @Test
  void lastInstanceLeaves_missingServiceQuery_answersExtinctionIndex() {
    store.write(tx -> {
      Catalog.ensureNode(tx, node("n1"));
      Catalog.ensureService(tx, service("n1", "a"));
      return null;
    });
    store.write(tx -> Catalog.deleteService(tx, "n1", "a"));
    long extinction = store.read(r -> r.index(Catalog.SERVICE_EXTINCTION));
    assertThat(extinction).isEqualTo(store.lastIndex());
    var v6 = store.read(r -> Catalog.serviceQueryIndex(r, "never-registered", false));
    assertThat(v6).isEqualTo(extinction);
  }

  @Test
  void kvPrefixIndex_afterTombstoneReap_goesBackwards() {
    store.write(tx -> {
      Kv.set(tx, "app/a", bytes("1"), 0);
      Kv.set(tx, "app/b", bytes("2"), 0);
      return null;
    });
    long afterPut = store.read(r -> Kv.prefixIndex(r, "app/"));
    store.write(tx -> {
      Kv.set(tx, "app/c", bytes("3"), 0);
      return null;
    });
    store.write(tx -> {
      Kv.delete(tx, "app/c");
      return null;
    });
    long afterDelete = store.read(r -> Kv.prefixIndex(r, "app/"));
    assertThat(afterDelete).isGreaterThan(afterPut);
    store.write(tx -> Kv.reapTombstones(tx, store.lastIndex()));
    var v7 = store.read(r -> Kv.prefixIndex(r, "app/"));
    assertThat(v7).isEqualTo(afterPut).isLessThan(afterDelete);
  }

  @Test
  void setCas_zeroIndexOnExistingKey_fails() {
    store.write(tx -> {
      Kv.set(tx, "k", bytes("1"), 0);
      return null;
    });
    var v101 = store.write(tx -> Kv.setCas(tx, "k", bytes("2"), 0, 0));
    assertThat(v101).isFalse();
    long modify = store.read(r -> Kv.get(r, "k").orElseThrow().modifyIndex());
    var v102 = store.write(tx -> Kv.setCas(tx, "k", bytes("3"), 0, modify));
    assertThat(v102).isTrue();
  }

  @Test
  void lock_heldByAnotherSession_failsAndDestroyReleases() {
    store.write(tx -> {
      Catalog.ensureNode(tx, node("n1"));
      Sessions.create(tx, new Session("s1", "", "n1", List.of(), List.of(), 0, Session.RELEASE, "", 0, 0));
      Sessions.create(tx, new Session("s2", "", "n1", List.of(), List.of(), 0, Session.RELEASE, "", 0, 0));
      return null;
    });
    var v103 = store.write(tx -> Kv.lock(tx, "leader", bytes("me"), 0, "s1"));
    assertThat(v103).isTrue();
    var v104 = store.write(tx -> Kv.lock(tx, "leader", bytes("you"), 0, "s2"));
    assertThat(v104).isFalse();
    var v105 = store.write(tx -> Sessions.destroy(tx, "s1"));
    assertThat(v105).containsExactly("leader");
    KvEntry e = store.read(r -> Kv.get(r, "leader").orElseThrow());
    assertThat(e.session()).isEmpty();
    assertThat(e.lockIndex()).isEqualTo(1);
  }

  @Test
  void sessionWithDeleteBehavior_checkGoesCritical_deletesHeldKeys() {
    store.write(tx -> {
      Catalog.ensureNode(tx, node("n1"));
      Catalog.ensureCheck(tx, new HealthCheck("n1", "serfHealth", "serf", HealthCheck.PASSING, "", "", "", "",
          List.of(), "", null, 0, 0));
      Sessions.create(tx, new Session("s1", "", "n1", List.of("serfHealth"), List.of(), 0, Session.DELETE, "", 0, 0));
      Kv.lock(tx, "lock", bytes("x"), 0, "s1");
      return null;
    });
    store.write(tx -> {
      Catalog.ensureCheck(tx, new HealthCheck("n1", "serfHealth", "serf", HealthCheck.CRITICAL, "", "", "", "",
          List.of(), "", null, 0, 0));
      return null;
    });
    var v8 = store.read(r -> r.<Session>get(Table.SESSIONS, "s1"));
    assertThat(v8).isEmpty();
    var v9 = store.read(r -> Kv.get(r, "lock"));
    assertThat(v9).isEmpty();
  }

  @Test
  void keys_withSeparator_rollsUpAtFirstSeparator() {
    store.write(tx -> {
      Kv.set(tx, "a/b/c", null, 0);
      Kv.set(tx, "a/d", null, 0);
      Kv.set(tx, "e", null, 0);
      return null;
    });
    var v10 = store.read(r -> Kv.keys(r, "", "/"));
    assertThat(v10).containsExactly("a/", "e");
    var v11 = store.read(r -> Kv.keys(r, "a/", "/"));
    assertThat(v11).containsExactly("a/b/", "a/d");
  }

  @Test
  void restore_image_indexKeepsRisingAndStateReplaced() {
    store.write(tx -> {
      Kv.set(tx, "keep", bytes("1"), 0);
      return null;
    });
    StateImage image = store.image();
    store.write(tx -> {
      Kv.set(tx, "later", bytes("2"), 0);
      return null;
    });
    long before = store.lastIndex();
    store.restore(image, false);
    assertThat(store.lastIndex()).isGreaterThan(before);
    var v12 = store.read(r -> Kv.get(r, "keep"));
    assertThat(v12).isPresent();
    var v13 = store.read(r -> Kv.get(r, "later"));
    assertThat(v13).isEmpty();
  }
}
