package dev.selat.probe;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * What one {@link LinkEstimator} knows about a peer at a moment: percentiles and loss over its window, RFC 3550
 * jitter, the smoothed RTT routing should use, and how often a real change was seen.
 *
 * @param smoothed median of the samples since the last real change (robust to jitter and single spikes)
 * @param samples answered probes in the window
 * @param lost probes lost in the window ({@code lossRatio = lost / (samples + lost)})
 * @param changeGeneration rises by one each time the RTT level really changed (never on jitter)
 * @param sinceLastSample time since the newest RTT sample, empty when there never was one
 */
public record RttEstimate(
    Duration p50,
    Duration p90,
    Duration p99,
    Duration smoothed,
    Duration jitter,
    double lossRatio,
    long samples,
    long lost,
    boolean stale,
    long changeGeneration,
    Optional<Duration> sinceLastSample) {
  public RttEstimate {
    requireNonNull(p50, "p50");
    requireNonNull(p90, "p90");
    requireNonNull(p99, "p99");
    requireNonNull(smoothed, "smoothed");
    requireNonNull(jitter, "jitter");
    requireNonNull(sinceLastSample, "sinceLastSample");
  }
}
