package dev.selat.controlplane.latency;

import dev.selat.controlplane.config.LatencySettings;
import dev.selat.controlplane.config.SelatConfig;
import dev.selat.controlplane.routing.LatencyCell;
import dev.selat.controlplane.routing.LatencyMatrix;
import dev.selat.controlplane.routing.LatencySource;
import dev.selat.controlplane.routing.SitePair;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The site x site matrix from the probe agents' estimates: per directed pair of configured sites, the
 * median of the agents' fresh estimates ({@code probe}); else the median of those still within the
 * stale budget ({@code probe-stale}); else the configured links' nominal RTT along the path
 * ({@code nominal}). Consul's network coordinates are never used between sites: they are per datacenter.
 */
public final class Matrices {
  private Matrices() {}

  public static LatencyMatrix build(SelatConfig config, Map<SitePair, List<AgentEstimate>> estimates, Instant now) {
    LatencySettings settings = config.latency();
    Map<SitePair, LatencyCell> cells = new TreeMap<>();
    for (String from : config.siteIds()) {
      for (String to : config.siteIds()) {
        if (from.equals(to)) {
          continue;
        }
        SitePair pair = new SitePair(from, to);
        List<AgentEstimate> usable = estimates.getOrDefault(pair, List.of()).stream().filter(e -> !e.lost()).toList();
        List<AgentEstimate> fresh = usable.stream()
            .filter(e -> !e.stale() && age(e, now).compareTo(settings.staleAfter()) <= 0).toList();
        List<AgentEstimate> stale = usable.stream()
            .filter(e -> age(e, now).compareTo(settings.staleBudget()) <= 0).toList();
        LatencyCell cell;
        if (!fresh.isEmpty()) {
          cell = new LatencyCell(median(fresh), LatencySource.PROBE, newestAge(fresh, now));
        } else if (!stale.isEmpty()) {
          cell = new LatencyCell(median(stale), LatencySource.PROBE_STALE, newestAge(stale, now));
        } else {
          cell = LatencyCell.nominal(config.path(from, to).nominalRtt());
        }
        cells.put(pair, cell);
      }
    }
    return new LatencyMatrix(cells);
  }

  private static Duration age(AgentEstimate e, Instant now) {
    Duration age = Duration.between(e.lastSampleAt(), now);
    return age.isNegative() ? Duration.ZERO : age;
  }

  private static Duration newestAge(List<AgentEstimate> estimates, Instant now) {
    return estimates.stream().map(e -> age(e, now)).min(Comparator.naturalOrder()).orElseThrow();
  }

  /** The median RTT; of an even count, the mean of the two middle ones. */
  static Duration median(List<AgentEstimate> estimates) {
    List<Duration> sorted = estimates.stream().map(AgentEstimate::rtt).sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
  }
}
