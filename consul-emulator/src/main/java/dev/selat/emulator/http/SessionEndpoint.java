package dev.selat.emulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selat.emulator.acl.Access;
import dev.selat.emulator.acl.Resource;
import dev.selat.emulator.agent.LocalAgent;
import dev.selat.emulator.state.Session;
import dev.selat.emulator.state.Sessions;
import dev.selat.emulator.state.Table;
import dev.selat.emulator.state.Watches.WatchSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/** /v1/session/*: create, destroy, renew, info, list, node. */
final class SessionEndpoint {
  private static final Duration MIN_TTL = Duration.ofSeconds(10);
  private static final Duration MAX_TTL = Duration.ofHours(24);
  private static final Duration DEFAULT_LOCK_DELAY = Duration.ofSeconds(15);
  private final Site site;

  SessionEndpoint(Site site) {
    this.site = site;
  }

  void routes(Router r) {
    r.put("/v1/session/create", this::create);
    r.put("/v1/session/destroy/", this::destroy);
    r.put("/v1/session/renew/", this::renew);
    r.get("/v1/session/info/", c -> list(c, s -> s.id().equals(c.required("session ID"))));
    r.get("/v1/session/list", c -> list(c, s -> true));
    r.get("/v1/session/node/", c -> list(c, s -> s.node().equals(c.required("node name"))));
  }

  private Reply create(Call c) {
    site.checkDc(c);
    Body b = c.body().length == 0 ? Body.of(null, "") : Body.parse(c.body(), "SessionRequest");
    String node = b.str("Node").isEmpty() ? site.agent().nodeName() : b.str("Node");
    c.require(Resource.SESSION, node, Access.WRITE);
    String behavior = b.str("Behavior").isEmpty() ? Session.RELEASE : b.str("Behavior");
    if (!behavior.equals(Session.RELEASE) && !behavior.equals(Session.DELETE)) {
      throw new HttpError(500, "Invalid Behavior setting '" + behavior + "'");
    }
    String ttl = b.str("TTL");
    if (!ttl.isEmpty()) {
      Duration d;
      try {
        d = GoDuration.parse(ttl);
      } catch (IllegalArgumentException e) {
        throw new HttpError(500, "Session TTL '" + ttl + "' invalid: " + e.getMessage());
      }
      if (d.compareTo(MIN_TTL) < 0 || d.compareTo(MAX_TTL) > 0) {
        throw new HttpError(500, "Invalid Session TTL '" + d.toNanos() + "', must be between [10s=24h0m0s]");
      }
    }
    List<String> nodeChecks = new ArrayList<>(b.strings("Checks"));
    nodeChecks.addAll(b.strings("NodeChecks"));
    List<String> serviceChecks = b.objs("ServiceChecks").stream().map(o -> o.str("ID")).toList();
    if (!b.present("Checks") && !b.present("NodeChecks")) {
      nodeChecks.add(LocalAgent.SERF_CHECK);
    }
    Session s = new Session(UUID.randomUUID().toString(), b.str("Name"), node, nodeChecks, serviceChecks,
        lockDelay(b.raw("LockDelay")).toNanos(), behavior, ttl, 0, 0);
    site.store().write(tx -> {
      Sessions.create(tx, s);
      return null;
    });
    if (!ttl.isEmpty()) {
      site.reaper().renew(s, GoDuration.parse(ttl));
    }
    return Reply.json(Map.of("ID", s.id()));
  }

  /** LockDelay as a duration string or a number (nanoseconds; below 1000 taken as seconds, as Consul does). */
  private static Duration lockDelay(JsonNode v) {
    if (v.isNull()) {
      return DEFAULT_LOCK_DELAY;
    }
    if (v.isTextual()) {
      try {
        return GoDuration.parse(v.asText());
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest("Request decode failed: LockDelay: " + e.getMessage());
      }
    }
    if (v.isIntegralNumber()) {
      long n = v.asLong();
      return n < 1000 ? Duration.ofSeconds(n) : Duration.ofNanos(n);
    }
    throw HttpError.badRequest("Request decode failed: LockDelay: expected a duration");
  }

  private Reply destroy(Call c) {
    site.checkDc(c);
    String id = c.required("session ID");
    Optional<Session> s = site.store().read(r -> r.get(Table.SESSIONS, id));
    if (s.isPresent()) {
      c.require(Resource.SESSION, s.get().node(), Access.WRITE);
      site.reaper().destroy(id);
    }
    return Reply.json(true);
  }

  private Reply renew(Call c) {
    site.checkDc(c);
    String id = c.required("session ID");
    Optional<Session> s = site.store().read(r -> r.get(Table.SESSIONS, id));
    if (s.isEmpty()) {
      return Reply.text(404, "Session id '" + id + "' not found");
    }
    c.require(Resource.SESSION, s.get().node(), Access.WRITE);
    if (!s.get().ttl().isEmpty()) {
      site.reaper().renew(s.get(), GoDuration.parse(s.get().ttl()));
    }
    return Reply.json(List.of(Views.session(s.get())));
  }

  private Reply list(Call c, Predicate<Session> which) {
    site.checkDc(c);
    return Blocking.run(c, site.store(), r -> {
      List<Object> out = new ArrayList<>();
      boolean hidden = false;
      for (Session s : r.<Session>all(Table.SESSIONS)) {
        if (!which.test(s)) {
          continue;
        }
        if (c.authz().allowed(Resource.SESSION, s.node(), Access.READ)) {
          out.add(Views.session(s));
        } else {
          hidden = true;
        }
      }
      return new Blocking.Answer(out, r.index("sessions"), WatchSet.of("sessions"), hidden);
    });
  }
}
