package dev.selat.probe;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Tells a real change of the RTT level from jitter by comparing two windows of samples: the last
 * {@code confirmSamples} against the median of the samples since the last change (the reference, at most
 * {@code referenceSamples}). A change is reported when every recent sample lies beyond
 * {@code median +- max(minStep, spreadFactor x MAD)} on the same side (MAD: the reference's median absolute
 * deviation); the reference then restarts from the recent samples. Spikes must come {@code confirmSamples} in a row
 * to count, jitter smaller than the threshold never counts, and a few odd first samples (a cold start) are outvoted
 * instead of becoming the level. With 3 samples at one every 500 ms a sustained step shows after about 1.5 s (2 s if
 * one of the three probes is lost). Not thread-safe.
 */
final class LevelChangeDetector {
  private final int confirmSamples;
  private final int referenceSamples;
  private final long minStepNanos;
  private final double spreadFactor;
  private final ArrayDeque<Long> recent = new ArrayDeque<>();
  private final ArrayDeque<Long> reference = new ArrayDeque<>();
  private long generation;

  LevelChangeDetector(int confirmSamples, int referenceSamples, long minStepNanos, double spreadFactor) {
    if (confirmSamples < 2) {
      throw new IllegalArgumentException("confirmSamples: must be >= 2, got " + confirmSamples);
    }
    if (referenceSamples < confirmSamples) {
      throw new IllegalArgumentException("referenceSamples: must be >= confirmSamples, got " + referenceSamples);
    }
    this.confirmSamples = confirmSamples;
    this.referenceSamples = referenceSamples;
    this.minStepNanos = minStepNanos;
    this.spreadFactor = spreadFactor;
  }

  /** Adds a sample; true when it completes a real change of level. */
  boolean add(long rttNanos) {
    push(recent, rttNanos, confirmSamples);
    push(reference, rttNanos, referenceSamples);
    if (recent.size() < confirmSamples) {
      return false;
    }
    long center = median(reference);
    long[] deviations = reference.stream().mapToLong(v -> Math.abs(v - center)).sorted().toArray();
    long threshold = Math.max(minStepNanos, (long) (spreadFactor * deviations[deviations.length / 2]));
    boolean allAbove = recent.stream().allMatch(v -> v >= center + threshold);
    boolean allBelow = recent.stream().allMatch(v -> v <= center - threshold);
    if (!allAbove && !allBelow) {
      return false;
    }
    generation++;
    reference.clear();
    reference.addAll(recent);
    return true;
  }

  /** The median since the last change, or -1 before the first sample. */
  long smoothed() {
    return reference.isEmpty() ? -1 : median(reference);
  }

  long generation() {
    return generation;
  }

  private static void push(ArrayDeque<Long> window, long value, int capacity) {
    if (window.size() == capacity) {
      window.removeFirst();
    }
    window.addLast(value);
  }

  private static long median(ArrayDeque<Long> window) {
    long[] sorted = window.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
