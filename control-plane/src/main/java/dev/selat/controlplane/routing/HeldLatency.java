package dev.selat.controlplane.routing;

import static java.util.Objects.requireNonNull;

import dev.selat.controlplane.config.RoutingSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The RTTs routing acts on: the measured matrix passed through hysteresis. An RTT that moves away
 * from the held value by more than the threshold is adopted only once it has stayed beyond the
 * threshold for the dwell time; a move of at most half the threshold is ignored, so jitter never
 * reorders sites. A move in between is adopted once it has stayed past half the threshold, on one
 * side, for the settle time: a value adopted high (a start-up spike, a change caught mid-way) would
 * otherwise be held up to the threshold off the measurement for good. This is explicit state:
 * {@link #step} takes the previous value and returns the next, nothing is hidden in a field.
 */
public record HeldLatency(Map<SitePair, Held> cells) {
  public static final HeldLatency EMPTY = new HeldLatency(Map.of());

  /**
   * One pair's held RTT.
   *
   * @param rtt the RTT routing uses
   * @param source the source of the measurement behind {@code rtt}
   * @param latest the latest measurement (what {@code /debug/latency} shows)
   * @param divergingSince when the measurement first went beyond the threshold of {@code rtt} (and stayed)
   * @param driftingSince when the measurement first went past half the threshold of {@code rtt} (and stayed, on the
   *     same side)
   */
  public record Held(Duration rtt, LatencySource source, LatencyCell latest, Optional<Instant> divergingSince,
      Optional<Instant> driftingSince) {
    public Held {
      requireNonNull(rtt, "rtt");
      requireNonNull(source, "source");
      requireNonNull(latest, "latest");
      requireNonNull(divergingSince, "divergingSince");
      requireNonNull(driftingSince, "driftingSince");
    }

    static Held adopt(LatencyCell cell) {
      return new Held(cell.rtt(), cell.source(), cell, Optional.empty(), Optional.empty());
    }
  }

  public HeldLatency {
    cells = Collections.unmodifiableMap(new TreeMap<>(cells));
  }

  public Optional<Held> held(String from, String to) {
    return Optional.ofNullable(cells.get(new SitePair(from, to)));
  }

  /**
   * The next held state for a new measured matrix at {@code now}. A pair seen for the first time is
   * adopted at once; a pair missing from {@code measured} is forgotten.
   */
  public HeldLatency step(LatencyMatrix measured, Instant now, RoutingSettings settings) {
    Map<SitePair, Held> next = new TreeMap<>();
    measured.cells().forEach((pair, cell) -> next.put(pair, stepOne(cells.get(pair), cell, now, settings)));
    return new HeldLatency(next);
  }

  private static Held stepOne(Held prev, LatencyCell cell, Instant now, RoutingSettings settings) {
    if (prev == null) {
      return Held.adopt(cell);
    }
    Duration move = cell.rtt().minus(prev.rtt());
    Duration threshold = settings.hysteresisThreshold();
    Optional<Instant> driftingSince = move.abs().compareTo(threshold.dividedBy(2)) > 0
        ? Optional.of(prev.driftingSince().filter(s -> sameSide(move, prev.latest().rtt().minus(prev.rtt()))).orElse(now))
        : Optional.empty();
    Optional<Instant> divergingSince = move.abs().compareTo(threshold) > 0
        ? Optional.of(prev.divergingSince().orElse(now)) : Optional.empty();
    if (lasted(divergingSince, now, settings.hysteresisDwell())
        || lasted(driftingSince, now, settings.hysteresisSettle())) {
      return Held.adopt(cell);
    }
    return new Held(prev.rtt(), prev.source(), cell, divergingSince, driftingSince);
  }

  private static boolean sameSide(Duration a, Duration b) {
    return a.isNegative() == b.isNegative();
  }

  private static boolean lasted(Optional<Instant> since, Instant now, Duration period) {
    return since.isPresent() && Duration.between(since.get(), now).compareTo(period) >= 0;
  }

  /** Whether the RTTs routing uses differ from {@code other}'s (a hysteresis hold changes nothing that routes). */
  public boolean sameRouting(HeldLatency other) {
    if (!cells.keySet().equals(other.cells.keySet())) {
      return false;
    }
    for (Map.Entry<SitePair, Held> e : cells.entrySet()) {
      Held o = other.cells.get(e.getKey());
      if (!o.rtt().equals(e.getValue().rtt()) || o.source() != e.getValue().source()) {
        return false;
      }
    }
    return true;
  }
}
