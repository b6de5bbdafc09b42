package dev.selat.emulator.http;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * /v1/event/fire and /v1/event/list: user events kept in memory (the last 256, as Consul's agent
 * buffer), delivered to this agent only. Not persisted, not blocking.
 */
final class EventEndpoint {
  private static final int KEEP = 256;
  private final Deque<Map<String, Object>> events = new ArrayDeque<>();
  private final Site site;
  private long ltime;

  EventEndpoint(Site site) {
    this.site = site;
  }

  void routes(Router r) {
    r.put("/v1/event/fire/", this::fire);
    r.get("/v1/event/list", this::list);
  }

  private synchronized Reply fire(Call c) {
    site.checkDc(c); // an event for another datacenter is forwarded there by RPC
    String name = c.required("event name");
    byte[] payload = c.body();
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("ID", UUID.randomUUID().toString());
    e.put("Name", name);
    e.put("Payload", payload.length == 0 ? null : Base64.getEncoder().encodeToString(payload));
    e.put("NodeFilter", c.param("node", ""));
    e.put("ServiceFilter", c.param("service", ""));
    e.put("TagFilter", c.param("tag", ""));
    e.put("Version", 1);
    e.put("LTime", ++ltime);
    events.addLast(e);
    if (events.size() > KEEP) {
      events.removeFirst();
    }
    return Reply.json(e);
  }

  /** Consul's event index: the event UUID's two halves XORed (api.Event.IDToIndex). */
  static long idToIndex(String uuid) {
    long low = Long.parseUnsignedLong(uuid.substring(0, 8) + uuid.substring(9, 13) + uuid.substring(14, 18), 16);
    long high = Long.parseUnsignedLong(uuid.substring(19, 23) + uuid.substring(24, 36), 16);
    return low ^ high;
  }

  private synchronized Reply list(Call c) {
    String name = c.param("name", "");
    List<Object> out = new ArrayList<>();
    for (Map<String, Object> e : events) {
      if (name.isEmpty() || name.equals(e.get("Name"))) {
        out.add(e);
      }
    }
    String last = events.isEmpty() ? null : (String) events.getLast().get("ID");
    return Reply.json(out).header("X-Consul-Index", last == null ? "1" : Long.toUnsignedString(idToIndex(last)))
        .header("X-Consul-KnownLeader", "true").header("X-Consul-LastContact", "0");
  }
}
