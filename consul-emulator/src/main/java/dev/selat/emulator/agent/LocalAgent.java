package dev.selat.emulator.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selat.emulator.state.Catalog;
import dev.selat.emulator.state.HealthCheck;
import dev.selat.emulator.Version;
import dev.selat.emulator.state.Node;
import dev.selat.emulator.state.ServiceInstance;
import dev.selat.emulator.state.StateStore;
import dev.selat.emulator.state.Table;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The local agent's side of health: registers its own node with a passing serfHealth check (as a
 * Consul agent does at start), expires TTL checks, runs HTTP/TCP checks on their interval and
 * deregisters a service whose check stayed critical past DeregisterCriticalServiceAfter.
 * Timers advance on {@link #tick()}; time comes from the injected clock.
 */
public final class LocalAgent {
  public static final String SERF_CHECK = "serfHealth";

  private final StateStore store;
  private final Clock clock;
  private final Node self;
  private final Function<JsonNode, CheckProbe.Result> prober;
  private final Map<String, Instant> ttlDeadlines = new ConcurrentHashMap<>();
  private final Map<String, Instant> nextRun = new ConcurrentHashMap<>();
  private final Map<String, Instant> criticalSince = new ConcurrentHashMap<>();

  public LocalAgent(StateStore store, Clock clock, Node self, Function<JsonNode, CheckProbe.Result> prober) {
    this.store = store;
    this.clock = clock;
    this.self = self;
    this.prober = prober;
  }

  public String nodeName() {
    return self.name();
  }

  public Node self() {
    return self;
  }

  /** Registers (or re-asserts) the agent's node and its serfHealth check; re-arms local timers. */
  public void start() {
    store.write(tx -> {
      Catalog.ensureNode(tx, self);
      // A Consul server registers itself as the "consul" service.
      Catalog.ensureService(tx, new ServiceInstance(self.name(), "", "consul", "consul", List.of(), "", null,
          Map.of("raft_version", "3", "serf_protocol_current", "2", "serf_protocol_min", "1",
              "serf_protocol_max", "5", "version", Version.VERSION, "non_voter", "false", "read_replica", "false"),
          8300, 1, 1, false, null, null, null, 0, 0));
      Catalog.ensureCheck(tx, new HealthCheck(self.name(), SERF_CHECK, "Serf Health Status", HealthCheck.PASSING,
          "", "Agent alive and reachable", "", "", List.of(), "", null, 0, 0));
      return null;
    });
    store.read(r -> Catalog.checksOf(r, self.name())).forEach(this::arm);
  }

  /** Starts the timers a check needs (TTL deadline, or the first HTTP/TCP run). */
  public void arm(HealthCheck c) {
    JsonNode d = c.definition();
    if (d == null) {
      return;
    }
    if (d.has("TTL")) {
      ttlDeadlines.put(c.checkId(), clock.instant().plus(duration(d, "TTL")));
    } else if (d.has("HTTP") || d.has("TCP")) {
      nextRun.put(c.checkId(), clock.instant());
    }
  }

  public void disarm(String checkId) {
    ttlDeadlines.remove(checkId);
    nextRun.remove(checkId);
  }

  /** A TTL check update (pass/warn/fail/update): sets status and output, resets the deadline. */
  public boolean updateTtl(String checkId, String status, String output) {
    HealthCheck c = store.read(r -> r.<HealthCheck>get(Table.CHECKS, Table.nodeKey(self.name(), checkId)))
        .orElse(null);
    if (c == null) {
      return false;
    }
    if (c.definition() != null && c.definition().has("TTL")) {
      ttlDeadlines.put(checkId, clock.instant().plus(duration(c.definition(), "TTL")));
    }
    setStatus(checkId, status, output);
    return true;
  }

  public synchronized void tick() {
    Instant now = clock.instant();
    reapCriticalServices(now);
    ttlDeadlines.forEach((id, deadline) -> {
      if (!now.isBefore(deadline) && ttlDeadlines.remove(id, deadline)) {
        setStatus(id, HealthCheck.CRITICAL, "TTL expired");
      }
    });
    nextRun.forEach((id, at) -> {
      if (!now.isBefore(at)) {
        HealthCheck c = store.read(r -> r.<HealthCheck>get(Table.CHECKS, Table.nodeKey(self.name(), id))).orElse(null);
        if (c == null || c.definition() == null) {
          nextRun.remove(id);
          return;
        }
        nextRun.put(id, now.plus(duration(c.definition(), "Interval")));
        Thread.ofVirtual().name("check-" + id).start(() -> {
          CheckProbe.Result res = prober.apply(c.definition());
          setStatus(id, res.status(), res.output());
        });
      }
    });
  }

  /** DeregisterCriticalServiceAfter: a service whose check stayed critical that long is deregistered. */
  private void reapCriticalServices(Instant now) {
    for (HealthCheck c : store.read(r -> List.copyOf(Catalog.checksOf(r, self.name())))) {
      JsonNode d = c.definition();
      if (d == null || !d.has("DeregisterCriticalServiceAfter") || c.serviceId().isEmpty()
          || !HealthCheck.CRITICAL.equals(c.status())) {
        criticalSince.remove(c.checkId());
        continue;
      }
      Instant since = criticalSince.computeIfAbsent(c.checkId(), k -> now);
      if (!now.isBefore(since.plus(duration(d, "DeregisterCriticalServiceAfter")))) {
        criticalSince.remove(c.checkId());
        store.write(tx -> Catalog.deleteService(tx, self.name(), c.serviceId()));
      }
    }
  }

  private void setStatus(String checkId, String status, String output) {
    store.write(tx -> {
      tx.<HealthCheck>get(Table.CHECKS, Table.nodeKey(self.name(), checkId))
          .ifPresent(c -> Catalog.ensureCheck(tx, c.withStatus(status, output)));
      return null;
    });
  }

  static Duration duration(JsonNode def, String field) {
    return dev.selat.emulator.http.GoDuration.parse(def.get(field).asText());
  }
}
