package dev.selat.controlplane.routing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A policy's outlier detection, retries and timeouts for a service's clusters and routes; an empty field keeps Selat's
 * default (README, "How routes are made").
 */
public record Tuning(Outlier outlier, Retries retries, Timeouts timeouts) {
  public static final Tuning DEFAULT = new Tuning(Outlier.DEFAULT, Retries.DEFAULT, Timeouts.DEFAULT);

  public Tuning {
    requireNonNull(outlier, "outlier");
    requireNonNull(retries, "retries");
    requireNonNull(timeouts, "timeouts");
  }

  public record Outlier(OptionalInt consecutive5xx, Optional<Duration> interval, Optional<Duration> baseEjectionTime,
      OptionalInt maxEjectionPercent) {
    public static final Outlier DEFAULT = new Outlier(OptionalInt.empty(), Optional.empty(), Optional.empty(),
        OptionalInt.empty());
  }

  public record Retries(Optional<String> retryOn, OptionalInt numRetries, Optional<Duration> perTryTimeout) {
    public static final Retries DEFAULT = new Retries(Optional.empty(), OptionalInt.empty(), Optional.empty());
  }

  public record Timeouts(Optional<Duration> connect, Optional<Duration> request) {
    public static final Timeouts DEFAULT = new Timeouts(Optional.empty(), Optional.empty());
  }
}
