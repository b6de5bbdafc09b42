package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How fresh a site's data is. {@code staleSince} is when the bridge last knew its data was current (when the first request
 * failed); {@code decayed} is set when the staleness budget ran out in {@link StalenessMode#DECAY}.
 */
public record SiteFreshness(SyncState state, Optional<Instant> staleSince, boolean decayed) {
  public static final SiteFreshness SYNCING = new SiteFreshness(SyncState.SYNCING, Optional.empty(), false);
  public static final SiteFreshness SYNCED = new SiteFreshness(SyncState.SYNCED, Optional.empty(), false);

  public SiteFreshness {
    requireNonNull(state, "state");
    requireNonNull(staleSince, "staleSince");
  }

  /** The age of the data at {@code now}: zero while it is current (or never was). */
  public Duration age(Instant now) {
    return staleSince.map(since -> Duration.between(since, now)).filter(d -> !d.isNegative()).orElse(Duration.ZERO);
  }
}
