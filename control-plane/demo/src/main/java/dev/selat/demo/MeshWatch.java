package dev.selat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the control plane says, read the way an operator reads it: its admin API's {@code /debug/latency} and
 * {@code /debug/routes}, polled twice a second. Differences between two polls become events: a route that changed
 * (failover when a site it used has no healthy instance left, else reroute), a link whose new RTT hysteresis holds
 * back, a site whose Consul data went stale.
 */
final class MeshWatch implements AutoCloseable {
  /** A matrix cell; {@code routingRttMs} is what routing uses (hysteresis may hold it), NaN when unknown. */
  record Cell(String from, String to, double rttMs, String source, double ageMs, double routingRttMs, boolean held) {}

  /** A client site's route for a service: site -> expected share in percent, and sites without a healthy instance. */
  record Route(String clientSite, String service, Map<String, Integer> percentBySite, Set<String> unhealthySites) {}

  record SiteState(String site, double dataAgeMs, boolean expired, String expiredMode) {}

  record Snapshot(boolean reachable, Map<String, Cell> cells, Map<String, Route> routes, Map<String, SiteState> sites) {
    static final Snapshot NONE = new Snapshot(false, Map.of(), Map.of(), Map.of());

    Cell cell(String from, String to) {
      return cells.get(from + ">" + to);
    }

    Route route(String clientSite, String service) {
      return routes.get(clientSite + ">" + service);
    }
  }

  /** Something that happened, at a wall-clock time (to the second), of a kind the view colours. */
  record Event(long seq, LocalTime at, String kind, String text) {
    @Override
    public String toString() {
      return at + " " + kind + ": " + text;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(MeshWatch.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EVENTS_KEPT = 100;

  private final URI admin;
  private final Set<String> services;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final Deque<Event> events = new ArrayDeque<>();
  private long eventCount;
  private final Thread loop;
  private volatile Snapshot snapshot = Snapshot.NONE;
  private volatile boolean running = true;

  MeshWatch(int adminPort, Collection<String> services) {
    this.admin = URI.create("http://127.0.0.1:" + adminPort);
    this.services = Set.copyOf(services);
    this.loop = Thread.ofVirtual().name("mesh-watch").start(this::run);
  }

  Snapshot snapshot() {
    return snapshot;
  }

  /** The events kept (the last 100), oldest first. */
  synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** The events kept that came after the one numbered {@code seq}. */
  synchronized List<Event> eventsAfter(long seq) {
    return events.stream().filter(e -> e.seq() > seq).toList();
  }

  synchronized void event(String kind, String text) {
    events.addLast(new Event(++eventCount, LocalTime.now().truncatedTo(ChronoUnit.SECONDS), kind, text));
    while (events.size() > EVENTS_KEPT) {
      events.removeFirst();
    }
  }

  private void run() {
    Snapshot lastRead = null;
    while (running) {
      try {
        Snapshot next = read();
        if (lastRead != null) {
          changes(lastRead, next).forEach(c -> event(c.kind(), c.text()));
        }
        snapshot = lastRead = next;
      } catch (IOException | RuntimeException e) {
        log.debug("control plane's admin API: {}", e.toString());
        snapshot = new Snapshot(false, snapshot.cells(), snapshot.routes(), snapshot.sites());
      } catch (InterruptedException e) {
        return;
      }
      LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
    }
  }

  private Snapshot read() throws IOException, InterruptedException {
    Map<String, Cell> cells = new TreeMap<>();
    for (JsonNode c : get("/debug/latency").path("cells")) {
      Cell cell = new Cell(c.path("from").asText(), c.path("to").asText(), c.path("rttMs").asDouble(),
          c.path("source").asText(), c.path("ageMs").asDouble(), c.path("routingRttMs").asDouble(Double.NaN),
          c.has("hysteresisHoldingSince"));
      cells.put(cell.from() + ">" + cell.to(), cell);
    }
    JsonNode routes = get("/debug/routes");
    Map<String, Route> byKey = new TreeMap<>();
    for (JsonNode r : routes.path("routes")) {
      String service = r.path("service").asText();
      if (!services.contains(service)) {
        continue;
      }
      Map<String, Integer> percent = new TreeMap<>();
      r.path("shares").properties().forEach(e -> {
        if (e.getValue().asInt() > 0) {
          percent.put(e.getKey(), (int) Math.round(e.getValue().asInt() / 10.0));
        }
      });
      Set<String> unhealthy = new TreeSet<>();
      for (JsonNode reason : r.path("reasons")) {
        if (reason.path("healthy").asInt() == 0) {
          unhealthy.add(reason.path("site").asText());
        }
      }
      Route route = new Route(r.path("clientSite").asText(), service, percent, unhealthy);
      byKey.put(route.clientSite() + ">" + service, route);
    }
    Map<String, SiteState> sites = new TreeMap<>();
    for (JsonNode s : routes.path("sites")) {
      SiteState site = new SiteState(s.path("site").asText(), s.path("dataAgeMs").asDouble(), s.path("expired").asBoolean(),
          s.path("expiredMode").asText());
      sites.put(site.site(), site);
    }
    return new Snapshot(true, cells, byKey, sites);
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(admin.resolve(path)).timeout(Duration.ofSeconds(2))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(path + " answered " + response.statusCode());
    }
    return JSON.readTree(response.body());
  }

  /** A change between two polls: its kind and what it says. */
  record Change(String kind, String text) {}

  /** The changes between two polls that read (one that failed in between is skipped: nothing is lost by it). */
  static List<Change> changes(Snapshot before, Snapshot now) {
    List<Change> changes = new ArrayList<>();
    now.routes().forEach((key, route) -> {
      Route was = before.routes().get(key);
      if (was != null && !was.percentBySite().equals(route.percentBySite())) {
        boolean lostHealth = was.percentBySite().keySet().stream()
            .anyMatch(site -> !route.percentBySite().containsKey(site) && route.unhealthySites().contains(site));
        changes.add(new Change(lostHealth ? "failover" : "reroute", route.clientSite() + " > " + route.service() + ": "
            + shares(was.percentBySite()) + " -> " + shares(route.percentBySite())));
      }
    });
    now.cells().forEach((key, cell) -> {
      Cell was = before.cells().get(key);
      if (cell.held() && (was == null || !was.held())) {
        changes.add(new Change("hysteresis", String.format(
            "%s>%s measured %.1f ms; routes keep %.1f ms until the change lasts", cell.from(), cell.to(), cell.rttMs(),
            cell.routingRttMs())));
      }
    });
    now.sites().forEach((id, site) -> {
      SiteState was = before.sites().get(id);
      if (was != null && site.expired() != was.expired()) {
        changes.add(site.expired()
            ? new Change("stale", String.format("%s's Consul data is %.0f s old: expired (mode %s)", id,
                site.dataAgeMs() / 1000, site.expiredMode()))
            : new Change("synced", id + "'s Consul answers again"));
      }
    });
    return changes;
  }

  /** {@code aws-sg 80% jakarta 20%}, largest first; {@code none} for no site. */
  static String shares(Map<String, Integer> percentBySite) {
    if (percentBySite.isEmpty()) {
      return "none";
    }
    return percentBySite.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .map(e -> e.getKey() + " " + e.getValue() + "%")
        .collect(Collectors.joining(" "));
  }

  @Override
  public void close() {
    running = false;
    loop.interrupt();
    http.shutdownNow();
  }
}
