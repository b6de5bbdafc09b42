package dev.selat.probe;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The estimate for one peer, from its probe outcomes. RTT percentiles and loss come from a sliding window of
 * HdrHistogram slices (µs, 3 significant digits: 12 µs resolution at 12 ms); jitter is RFC 3550's
 * {@code J += (|D| - J) / 16} over consecutive RTTs; the smoothed RTT and the change signal come from a
 * {@link LevelChangeDetector}; stale means no RTT sample for {@code staleAfter}.
 *
 * <p>Not thread-safe: the prober's executor owns it (plain histograms suffice, no Recorder is needed without
 * concurrent writers).
 */
public final class LinkEstimator {
  private static final long MAX_RTT_MICROS = TimeUnit.SECONDS.toMicros(60);

  /**
   * @param window span of the percentiles and the loss ratio, made of {@code slices} slices
   * @param confirmSamples consecutive samples that must all lie beyond the threshold to report a change
   * @param referenceSamples most samples kept since the last change, for the smoothed RTT and the spread
   * @param minStep smallest level change that is reported
   * @param spreadFactor a change must also exceed this many median absolute deviations
   */
  public record Settings(
      Duration window,
      int slices,
      int confirmSamples,
      int referenceSamples,
      Duration minStep,
      double spreadFactor,
      Duration staleAfter) {
    public Settings {
      requireNonNull(window, "window");
      requireNonNull(minStep, "minStep");
      requireNonNull(staleAfter, "staleAfter");
      if (slices < 1 || window.toNanos() < slices) {
        throw new IllegalArgumentException("slices: must be >= 1 and divide window, got " + slices);
      }
    }

    /** 30 s window in 30 slices; a change is 3 samples in a row >= 5 ms and >= 3 MAD off the median; stale after 5 s. */
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(30), 30, 3, 120, Duration.ofMillis(5), 3, Duration.ofSeconds(5));
    }

    public Settings withWindow(Duration newWindow) {
      return new Settings(newWindow, slices, confirmSamples, referenceSamples, minStep, spreadFactor, staleAfter);
    }
  }

  private static final class Slice {
    final Histogram rtts = new Histogram(MAX_RTT_MICROS, 3);
    long lost;

    void reset() {
      rtts.reset();
      lost = 0;
    }
  }

  private final Settings settings;
  private final Ticker ticker;
  private final long sliceNanos;
  private final long origin;
  private final Slice[] slices;
  private final Histogram merged = new Histogram(MAX_RTT_MICROS, 3);
  private final LevelChangeDetector levels;
  private long currentSlice;
  private long lastRtt = -1;
  private double jitterNanos;
  private long lastSampleAt;
  private boolean sampled;

  public LinkEstimator(Settings settings, Ticker ticker) {
    this.settings = requireNonNull(settings, "settings");
    this.ticker = requireNonNull(ticker, "ticker");
    this.sliceNanos = settings.window().toNanos() / settings.slices();
    this.origin = ticker.nanos();
    this.slices = new Slice[settings.slices()];
    for (int i = 0; i < slices.length; i++) {
      slices[i] = new Slice();
    }
    this.levels = new LevelChangeDetector(
        settings.confirmSamples(), settings.referenceSamples(), settings.minStep().toNanos(), settings.spreadFactor());
  }

  /** Records one answered probe; true when it completed a real change of the RTT level. */
  public boolean recordRtt(long rttNanos) {
    if (rttNanos < 0) {
      throw new IllegalArgumentException("rttNanos: must be >= 0, got " + rttNanos);
    }
    long now = ticker.nanos();
    slice(now).rtts.recordValue(Math.min(MAX_RTT_MICROS, Math.max(1, TimeUnit.NANOSECONDS.toMicros(rttNanos))));
    if (lastRtt >= 0) {
      jitterNanos += (Math.abs(rttNanos - lastRtt) - jitterNanos) / 16;
    }
    lastRtt = rttNanos;
    lastSampleAt = now;
    sampled = true;
    return levels.add(rttNanos);
  }

  /** Records one probe that got no answer within the prober's loss window. */
  public void recordLoss() {
    slice(ticker.nanos()).lost++;
  }

  public RttEstimate estimate() {
    long now = ticker.nanos();
    slice(now);
    merged.reset();
    long lost = 0;
    for (Slice s : slices) {
      merged.add(s.rtts);
      lost += s.lost;
    }
    long answered = merged.getTotalCount();
    long smoothed = levels.smoothed();
    return new RttEstimate(
        percentile(50),
        percentile(90),
        percentile(99),
        Duration.ofNanos(Math.max(0, smoothed)),
        Duration.ofNanos((long) jitterNanos),
        answered + lost == 0 ? 0 : (double) lost / (answered + lost),
        answered,
        lost,
        !sampled || now - lastSampleAt >= settings.staleAfter().toNanos(),
        levels.generation(),
        sampled ? Optional.of(Duration.ofNanos(now - lastSampleAt)) : Optional.empty());
  }

  private Duration percentile(double p) {
    return merged.getTotalCount() == 0
        ? Duration.ZERO
        : Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(merged.getValueAtPercentile(p)));
  }

  /** The slice for {@code now}, clearing the slices that slid out of the window since the last call. */
  private Slice slice(long now) {
    long index = Math.max(0, (now - origin) / sliceNanos);
    for (long i = Math.max(currentSlice + 1, index - slices.length + 1); i <= index; i++) {
      slices[(int) (i % slices.length)].reset();
    }
    currentSlice = Math.max(currentSlice, index);
    return slices[(int) (currentSlice % slices.length)];
  }
}
