package dev.selat.controlplane.routing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A share of a service's traffic moved from one site to another, ramped in steps: of what the clients would send to
 * {@code fromSite}, {@link #percentAt} goes to {@code toSite} instead. The percent is a pure function of the stored
 * {@link State} and the time, so a control plane that restarts (or another replica) computes the same step; the
 * transitions ({@link #start}, {@link #pause}, {@link #resume}, {@link #rollback}) return the new state to store.
 *
 * @param targetPercent 1..100, where the ramp stops
 * @param stepPercent 1..targetPercent, added every {@code interval}; the first step is taken at {@link #start}
 */
public record Migration(String fromSite, String toSite, int targetPercent, int stepPercent, Duration interval,
    State state) {

  public enum Phase { PENDING, RUNNING, PAUSED, ROLLED_BACK }

  /**
   * @param basePercent the percent reached at {@code since}
   * @param since RUNNING: when the ramp (re)started from {@code basePercent}; PAUSED: when it paused
   */
  public record State(Phase phase, int basePercent, Optional<Instant> since) {
    public static final State PENDING = new State(Phase.PENDING, 0, Optional.empty());

    public State {
      requireNonNull(phase, "phase");
      requireNonNull(since, "since");
      if (phase == Phase.RUNNING && since.isEmpty()) {
        throw new IllegalArgumentException("a running migration needs its start time");
      }
    }
  }

  public Migration {
    requireNonNull(fromSite, "fromSite");
    requireNonNull(toSite, "toSite");
    requireNonNull(interval, "interval");
    requireNonNull(state, "state");
    if (targetPercent < 1 || targetPercent > 100) {
      throw new IllegalArgumentException("targetPercent: must be 1..100, was " + targetPercent);
    }
    if (stepPercent < 1 || stepPercent > targetPercent) {
      throw new IllegalArgumentException("stepPercent: must be 1..targetPercent, was " + stepPercent);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval: must be > 0, was " + interval);
    }
  }

  /** A migration not started yet. */
  public static Migration pending(String from, String to, int targetPercent, int stepPercent, Duration interval) {
    return new Migration(from, to, targetPercent, stepPercent, interval, State.PENDING);
  }

  /** The share moved at {@code now}, in percent. A start time in the future (a replica's clock behind) counts as now. */
  public int percentAt(Instant now) {
    return switch (state.phase()) {
      case PENDING, ROLLED_BACK -> 0;
      case PAUSED -> state.basePercent();
      case RUNNING -> {
        Duration elapsed = Duration.between(state.since().orElseThrow(), now);
        long steps = elapsed.isNegative() ? 0 : Math.min(100, elapsed.toNanos() / interval.toNanos());
        yield (int) Math.min(targetPercent, state.basePercent() + steps * stepPercent);
      }
    };
  }

  /** When the percent next changes, if it will without an operator: the next step of a running ramp. */
  public Optional<Instant> nextChangeAfter(Instant now) {
    if (state.phase() != Phase.RUNNING || percentAt(now) >= targetPercent) {
      return Optional.empty();
    }
    Instant since = state.since().orElseThrow();
    long elapsed = Math.max(0, Duration.between(since, now).toNanos());
    long next = elapsed / interval.toNanos() + 1;
    return Optional.of(since.plusNanos(next * interval.toNanos()));
  }

  /** Whether the ramp has reached its target. */
  public boolean complete(Instant now) {
    return state.phase() == Phase.RUNNING && percentAt(now) >= targetPercent;
  }

  /** Starts (or, after a rollback, restarts) the ramp: the first step at once. */
  public Migration start(Instant now) {
    if (state.phase() == Phase.RUNNING || state.phase() == Phase.PAUSED) {
      throw new IllegalStateException("migration is " + state.phase() + ": " + (state.phase() == Phase.PAUSED
          ? "resume it" : "already started"));
    }
    return with(new State(Phase.RUNNING, Math.min(stepPercent, targetPercent), Optional.of(now)));
  }

  /** Holds the ramp at the percent it has reached. */
  public Migration pause(Instant now) {
    if (state.phase() != Phase.RUNNING) {
      throw new IllegalStateException("migration is " + state.phase() + ": only a running migration pauses");
    }
    return with(new State(Phase.PAUSED, percentAt(now), Optional.of(now)));
  }

  /** Goes on from the held percent; the next step comes one interval later. */
  public Migration resume(Instant now) {
    if (state.phase() != Phase.PAUSED) {
      throw new IllegalStateException("migration is " + state.phase() + ": only a paused migration resumes");
    }
    return with(new State(Phase.RUNNING, state.basePercent(), Optional.of(now)));
  }

  /** Back to 0%: every client goes where it would without the migration. */
  public Migration rollback(Instant now) {
    if (state.phase() == Phase.PENDING || state.phase() == Phase.ROLLED_BACK) {
      throw new IllegalStateException("migration is " + state.phase() + ": nothing to roll back");
    }
    return with(new State(Phase.ROLLED_BACK, 0, Optional.of(now)));
  }

  private Migration with(State next) {
    return new Migration(fromSite, toSite, targetPercent, stepPercent, interval, next);
  }
}
