package dev.selat.controlplane.routing;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The measured site x site matrix: one {@link LatencyCell} per directed pair of distinct sites. */
public record LatencyMatrix(Map<SitePair, LatencyCell> cells) {
  public static final LatencyMatrix EMPTY = new LatencyMatrix(Map.of());

  public LatencyMatrix {
    cells = Collections.unmodifiableMap(new TreeMap<>(cells));
  }

  public Optional<LatencyCell> cell(String from, String to) {
    return Optional.ofNullable(cells.get(new SitePair(from, to)));
  }
}
