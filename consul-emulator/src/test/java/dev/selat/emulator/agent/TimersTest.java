package dev.selat.emulator.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.selat.emulator.FakeClock;
import dev.selat.emulator.state.Catalog;
import dev.selat.emulator.state.HealthCheck;
import dev.selat.emulator.state.Journal;
import dev.selat.emulator.state.Kv;
import dev.selat.emulator.state.Node;
import dev.selat.emulator.state.Session;
import dev.selat.emulator.state.Sessions;
import dev.selat.emulator.state.StateStore;
import dev.selat.emulator.state.Table;
import dev.selat.emulator.state.Tombstone;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TTL checks, session TTLs, lock delay and tombstone reaping, driven by a fake clock. */
class TimersTest {
  private final FakeClock clock = new FakeClock();
  private final StateStore store = new StateStore(Journal.NONE);
  private final LockDelays lockDelays = new LockDelays(clock);
  private final Reaper reaper = new Reaper(store, clock, lockDelays, Duration.ofMinutes(15));
  private final LocalAgent agent = new LocalAgent(store, clock,
      new Node("id", "n1", "127.0.0.1", "dc1", Map.of(), Map.of(), 0, 0),
      def -> new CheckProbe.Result(HealthCheck.PASSING, "ok"));

  private HealthCheck ttlCheck() {
    ObjectNode def = JsonNodeFactory.instance.objectNode().put("TTL", "10s");
    return new HealthCheck("n1", "ttl", "ttl", HealthCheck.PASSING, "", "", "", "", List.of(), "ttl", def, 0, 0);
  }

  private String status(String checkId) {
    return store.read(r -> r.<HealthCheck>get(Table.CHECKS, Table.nodeKey("n1", checkId)).orElseThrow()).status();
  }

  @Test
  void start_registersNodeWithPassingSerfHealth() {
    agent.start();
    assertThat(status(LocalAgent.SERF_CHECK)).isEqualTo(HealthCheck.PASSING);
    var v1 = store.read(r -> r.instancesOf("consul"));
    assertThat(v1).hasSize(1);
  }

  @Test
  void ttlCheck_notUpdatedWithinTtl_goesCritical() {
    agent.start();
    HealthCheck c = ttlCheck();
    store.write(tx -> {
      Catalog.ensureCheck(tx, c);
      return null;
    });
    agent.arm(c);
    clock.advance(Duration.ofSeconds(9));
    agent.tick();
    assertThat(status("ttl")).isEqualTo(HealthCheck.PASSING);
    agent.updateTtl("ttl", HealthCheck.PASSING, "still here");
    clock.advance(Duration.ofSeconds(9));
    agent.tick();
    assertThat(status("ttl")).isEqualTo(HealthCheck.PASSING);
    clock.advance(Duration.ofSeconds(2));
    agent.tick();
    assertThat(status("ttl")).isEqualTo(HealthCheck.CRITICAL);
  }

  @Test
  void criticalCheck_pastDeregisterCriticalServiceAfter_deregistersItsService() {
    agent.start();
    ObjectNode def = JsonNodeFactory.instance.objectNode().put("TTL", "10s").put("DeregisterCriticalServiceAfter", "1m");
    store.write(tx -> {
      Catalog.ensureService(tx, new dev.selat.emulator.state.ServiceInstance("n1", "", "web", "web", List.of(),
          "", null, Map.of(), 80, 1, 1, false, null, null, null, 0, 0));
      Catalog.ensureCheck(tx, new HealthCheck("n1", "c", "c", HealthCheck.CRITICAL, "", "", "web", "", List.of(),
          "ttl", def, 0, 0));
      return null;
    });
    agent.tick();
    clock.advance(Duration.ofSeconds(59));
    agent.tick();
    var before = store.read(r -> r.instancesOf("web"));
    assertThat(before).hasSize(1);
    clock.advance(Duration.ofSeconds(1));
    agent.tick();
    var after = store.read(r -> r.instancesOf("web"));
    assertThat(after).isEmpty();
  }

  @Test
  void sessionTtl_expiresAfterTwiceTheTtl_andLockDelayBlocksTheKey() {
    agent.start();
    Session s = new Session("s1", "", "n1", List.of(), List.of(), Duration.ofSeconds(15).toNanos(), Session.RELEASE,
        "10s", 0, 0);
    store.write(tx -> {
      Sessions.create(tx, s);
      Kv.lock(tx, "leader", null, 0, "s1");
      return null;
    });
    reaper.renew(s, Duration.ofSeconds(10));
    clock.advance(Duration.ofSeconds(19));
    reaper.tick();
    var v2 = store.read(r -> r.<Session>get(Table.SESSIONS, "s1"));
    assertThat(v2).isPresent();
    clock.advance(Duration.ofSeconds(2));
    reaper.tick();
    var v3 = store.read(r -> r.<Session>get(Table.SESSIONS, "s1"));
    assertThat(v3).isEmpty();
    assertThat(lockDelays.blocked("leader")).isTrue();
    clock.advance(Duration.ofSeconds(15));
    assertThat(lockDelays.blocked("leader")).isFalse();
  }

  @Test
  void tombstones_olderThanTtl_areReaped() {
    store.write(tx -> {
      Kv.set(tx, "a", null, 0);
      return null;
    });
    store.write(tx -> {
      Kv.delete(tx, "a");
      return null;
    });
    reaper.tick();
    clock.advance(Duration.ofMinutes(14));
    reaper.tick();
    var v4 = store.read(r -> r.<Tombstone>all(Table.TOMBSTONES));
    assertThat(v4).hasSize(1);
    clock.advance(Duration.ofMinutes(2));
    reaper.tick();
    var v5 = store.read(r -> r.<Tombstone>all(Table.TOMBSTONES));
    assertThat(v5).isEmpty();
  }
}
