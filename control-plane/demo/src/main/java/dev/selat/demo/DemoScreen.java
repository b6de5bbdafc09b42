package dev.selat.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the view shows, as lines of text, each of a kind the terminal view colours: the links, the latency matrix as the
 * control plane sees it, where each site's calls go (measured by its traffic, beside the route the control plane
 * computed), the sites' Consul state, the events and the tour's keys. The terminal view draws it in place; the plain
 * view prints it now and then.
 */
final class DemoScreen {
  enum Kind { TITLE, HEADER, TEXT, DIM, EVENT, ALERT, KEYS }

  record Line(Kind kind, String text) {}

  /** Short, so what the calls measure follows a step within seconds. */
  static final Duration WINDOW = Duration.ofSeconds(1);

  private DemoScreen() {}

  /** The state part: everything but the events and keys. */
  static List<Line> state(DemoMesh mesh) {
    List<Line> lines = new ArrayList<>();
    MeshWatch.Snapshot snap = mesh.watch().snapshot();
    List<String> sites = mesh.topology().siteIds();
    lines.add(new Line(Kind.TITLE, "Selat demo: " + sites.size() + " sites, control plane admin http://127.0.0.1:"
        + mesh.adminPort() + "/debug/routes" + (snap.reachable() ? "" : "  (not answering)")));

    lines.add(new Line(Kind.HEADER, "Links (Toxiproxy; every cross-site byte crosses them)"));
    mesh.links().links().forEach((name, state) -> {
      DemoTopology.Link link = mesh.topology().link(name);
      int nominal = mesh.links().nominalRttMs(name);
      lines.add(new Line(state.rttMs() != nominal || state.jitterMs() > 0 ? Kind.ALERT : Kind.TEXT,
          String.format("  %-12s %-24s %4d ms%s%s", name, link.siteA() + " - " + link.siteB(), state.rttMs(),
              state.jitterMs() > 0 ? " +-" + state.jitterMs() : "", state.rttMs() != nominal ? "  (nominal " + nominal + ")" : "")));
    });

    lines.add(new Line(Kind.HEADER, "Latency matrix: RTT ms as the control plane measures it (source, age)"));
    StringBuilder head = new StringBuilder(String.format("  %-12s", "from \\ to"));
    sites.forEach(s -> head.append(String.format("%-24s", s)));
    lines.add(new Line(Kind.DIM, head.toString()));
    for (String from : sites) {
      StringBuilder row = new StringBuilder(String.format("  %-12s", from));
      for (String to : sites) {
        MeshWatch.Cell c = snap.cell(from, to);
        row.append(String.format("%-24s", from.equals(to) ? "-" : c == null ? "?" : cell(c)));
      }
      lines.add(new Line(Kind.TEXT, row.toString()));
    }

    lines.add(new Line(Kind.HEADER, "Traffic, last " + WINDOW.toSeconds() + " s: where each site's calls went, p50,"
        + " and the control plane's route"));
    lines.add(new Line(Kind.DIM, String.format("  %-12s %-9s %-32s %9s  %s", "site", "service", "answered by", "p50",
        "route (expected shares)")));
    for (Traffic t : mesh.traffic()) {
      Traffic.Stats stats = t.stats(WINDOW);
      MeshWatch.Route route = snap.route(t.site(), t.service());
      String answered = MeshWatch.shares(stats.percentBySite()) + (stats.failed() > 0 ? "  failed " + stats.failed() : "");
      lines.add(new Line(stats.failed() > 0 ? Kind.ALERT : Kind.TEXT, String.format("  %-12s %-9s %-32s %9s  %s",
          t.site(), t.service(), answered, Double.isNaN(stats.p50Millis()) ? "-" : String.format("%.1f ms", stats.p50Millis()),
          route == null ? "?" : MeshWatch.shares(route.percentBySite()))));
    }

    StringBuilder consul = new StringBuilder("  ");
    snap.sites().values().forEach(s -> consul.append(s.site()).append(s.expired()
        ? String.format(" STALE %.0f s (%s)", s.dataAgeMs() / 1000, s.expiredMode())
        : String.format(" synced (%.1f s)", s.dataAgeMs() / 1000)).append("   "));
    lines.add(new Line(Kind.HEADER, "Consul sites (data age)"));
    lines.add(new Line(snap.sites().values().stream().anyMatch(MeshWatch.SiteState::expired) || mesh.consulKilled()
        ? Kind.ALERT : Kind.TEXT, consul.toString().stripTrailing()));
    return lines;
  }

  /** {@code 12.8 probe 0s}; while hysteresis holds the route on an older value, {@code held 12.0} after it. */
  private static String cell(MeshWatch.Cell c) {
    return String.format("%.1f %s %.0fs", c.rttMs(), c.source(), c.ageMs() / 1000)
        + (c.held() ? String.format(" held %.0f", c.routingRttMs()) : "");
  }

  static Line event(MeshWatch.Event e) {
    Kind kind = switch (e.kind()) {
      case "failover", "stale" -> Kind.ALERT;
      case "step" -> Kind.KEYS;
      default -> Kind.EVENT;
    };
    return new Line(kind, "  " + e);
  }

  static Line keys() {
    StringBuilder keys = new StringBuilder("Keys:");
    DemoMesh.STEPS.forEach(s -> keys.append("  ").append(s.key()).append(' ').append(s.label()));
    return new Line(Kind.KEYS, keys.append("  q quit").toString());
  }

  static Map<Character, String> stepKeys() {
    Map<Character, String> keys = new HashMap<>();
    DemoMesh.STEPS.forEach(s -> keys.put(s.key(), s.name()));
    return keys;
  }
}
