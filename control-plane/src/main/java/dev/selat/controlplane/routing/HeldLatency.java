package dev.selat.controlplane.routing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The RTTs routing acts on: the measured matrix passed through hysteresis. An RTT that moves away
 * from the held value by more than the threshold is adopted only once it has stayed beyond the
 * threshold for the dwell time; smaller moves are ignored, so jitter never reorders sites. This is
 * explicit state: {@link #step} takes the previous value and returns the next, nothing is hidden in
 * a field.
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
   */
  public record Held(Duration rtt, LatencySource source, LatencyCell latest, Optional<Instant> divergingSince) {
    public Held {
      requireNonNull(rtt, "rtt");
      requireNonNull(source, "source");
      requireNonNull(latest, "latest");
      requireNonNull(divergingSince, "divergingSince");
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
  public HeldLatency step(LatencyMatrix measured, Instant now, Duration threshold, Duration dwell) {
    Map<SitePair, Held> next = new TreeMap<>();
    measured.cells().forEach((pair, cell) -> next.put(pair, stepOne(cells.get(pair), cell, now, threshold, dwell)));
    return new HeldLatency(next);
  }

  private static Held stepOne(Held prev, LatencyCell cell, Instant now, Duration threshold, Duration dwell) {
    if (prev == null) {
      return new Held(cell.rtt(), cell.source(), cell, Optional.empty());
    }
    Duration delta = cell.rtt().minus(prev.rtt()).abs();
    if (delta.compareTo(threshold) <= 0) {
      return new Held(prev.rtt(), prev.source(), cell, Optional.empty());
    }
    Instant since = prev.divergingSince().orElse(now);
    if (Duration.between(since, now).compareTo(dwell) >= 0) {
      return new Held(cell.rtt(), cell.source(), cell, Optional.empty());
    }
    return new Held(prev.rtt(), prev.source(), cell, Optional.of(since));
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
