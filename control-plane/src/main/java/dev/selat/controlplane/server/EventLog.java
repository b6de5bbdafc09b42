package dev.selat.controlplane.server;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The latest operator-visible events (failover, reorder, hysteresis held, NACK, site state), newest last, at most
 * {@link #CAPACITY}: what the status page's "Recent events" shows. Thread-safe (one short lock; nothing calls out
 * under it).
 */
final class EventLog {
  static final int CAPACITY = 200;

  /** The kinds of event; their names are the page's and the {@code selat.events} counter's {@code kind} tag. */
  enum Kind {
    /** The site taking the largest share of a route changed. */
    FAILOVER,
    /** Remote sites changed order (or priority) without changing the first one. */
    REORDER,
    /** Only the weights or shares of a route changed. */
    SHARES,
    /** A route appeared (a new service, or the first routes): counted by {@code selat.routes.changes}, not listed. */
    NEW_ROUTE,
    /** A measured RTT crossed the hysteresis threshold; routing holds the old one for the dwell time. */
    HYSTERESIS_HELD,
    /** A proxy rejected a response. */
    NACK,
    /** A site's sync state changed (stale, expired, synced again). */
    SITE_STATE;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * One event.
   *
   * @param seq increasing from 1 within this process: the page asks for events after the last it saw
   * @param site the client site or site it concerns, empty if none
   * @param service the service it concerns, empty if none
   */
  record Event(long seq, Instant at, Kind kind, Optional<String> site, Optional<String> service, String message) {
    Event {
      requireNonNull(at, "at");
      requireNonNull(kind, "kind");
      requireNonNull(site, "site");
      requireNonNull(service, "service");
      requireNonNull(message, "message");
    }
  }

  private final Clock clock;
  private final Deque<Event> events = new ArrayDeque<>();
  private long seq;

  EventLog(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  Event add(Kind kind, String site, String service, String message) {
    Instant at = clock.instant();
    synchronized (events) {
      Event e = new Event(++seq, at, kind, Optional.ofNullable(site), Optional.ofNullable(service), message);
      if (events.size() == CAPACITY) {
        events.removeFirst();
      }
      events.addLast(e);
      return e;
    }
  }

  /** The events kept, oldest first. */
  List<Event> recent() {
    synchronized (events) {
      return List.copyOf(new ArrayList<>(events));
    }
  }
}
