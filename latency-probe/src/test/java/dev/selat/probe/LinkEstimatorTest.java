package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinkEstimatorTest {
  private static final Duration INTERVAL = Duration.ofMillis(500);

  private final FakeTicker ticker = new FakeTicker();
  private final LinkEstimator estimator = new LinkEstimator(LinkEstimator.Settings.defaults(), ticker);

  @Test
  void estimate_uniformSamples_givesPercentilesOfTheWindow() {
    for (int i = 0; i <= 1000; i++) {
      estimator.recordRtt(ms(10 + i / 100.0));
      ticker.advance(Duration.ofMillis(20));
    }

    RttEstimate estimate = estimator.estimate();

    assertThat(millis(estimate.p50())).isCloseTo(15, within(0.05));
    assertThat(millis(estimate.p90())).isCloseTo(19, within(0.05));
    assertThat(millis(estimate.p99())).isCloseTo(19.9, within(0.05));
    assertThat(estimate.samples()).isEqualTo(1001);
  }

  @Test
  void estimate_oneLossInFive_reportsTwentyPercent() {
    for (int i = 0; i < 100; i++) {
      if (i % 5 == 0) {
        estimator.recordLoss();
      } else {
        estimator.recordRtt(ms(20));
      }
      ticker.advance(Duration.ofMillis(100));
    }

    assertThat(estimator.estimate().lossRatio()).isCloseTo(0.2, within(1e-9));
  }

  @Test
  void estimate_alternatingRtt_convergesToRfc3550Jitter() {
    for (int i = 0; i < 500; i++) {
      estimator.recordRtt(ms(i % 2 == 0 ? 10 : 12));
      ticker.advance(INTERVAL);
    }

    assertThat(millis(estimator.estimate().jitter())).isCloseTo(2, within(0.01));
  }

  @Test
  void estimate_samplesOlderThanWindow_areForgotten() {
    for (int i = 0; i < 60; i++) {
      estimator.recordRtt(ms(10));
      estimator.recordLoss();
      ticker.advance(INTERVAL);
    }
    ticker.advance(Duration.ofSeconds(31));
    for (int i = 0; i < 10; i++) {
      estimator.recordRtt(ms(40));
      ticker.advance(INTERVAL);
    }

    RttEstimate estimate = estimator.estimate();

    assertThat(millis(estimate.p50())).isCloseTo(40, within(0.05));
    assertThat(estimate.samples()).isEqualTo(10);
    assertThat(estimate.lossRatio()).isZero();
  }

  @Test
  void estimate_noSampleForStaleAfter_isStaleEvenWithLosses() {
    estimator.recordRtt(ms(10));
    assertThat(estimator.estimate().stale()).isFalse();

    for (int i = 0; i < 10; i++) {
      ticker.advance(INTERVAL);
      estimator.recordLoss();
    }

    assertThat(estimator.estimate().stale()).isTrue();
    assertThat(estimator.estimate().sinceLastSample()).contains(Duration.ofSeconds(5));
  }

  @Test
  void estimate_neverSampled_isStaleWithoutAge() {
    assertThat(estimator.estimate().stale()).isTrue();
    assertThat(estimator.estimate().sinceLastSample()).isEmpty();
  }

  @Test
  void recordRtt_sustainedTenMillisecondStep_reportsOneChangeWithinThreeSeconds() {
    for (long seed = 0; seed < 100; seed++) {
      FakeTicker clock = new FakeTicker();
      LinkEstimator link = new LinkEstimator(LinkEstimator.Settings.defaults(), clock);
      Random random = new Random(seed);
      long stepAt = -1;
      long detectedAt = -1;
      for (int i = 0; i < 120; i++) {
        boolean afterStep = i >= 60;
        if (afterStep && stepAt < 0) {
          stepAt = clock.nanos() - jitteredInterval(random).toNanos() / 2;
        }
        if (link.recordRtt(ms(20 + (afterStep ? 10 : 0) + uniform(random, 2))) && detectedAt < 0) {
          detectedAt = clock.nanos();
        }
        clock.advance(jitteredInterval(random));
      }

      assertThat(detectedAt).as("seed %d", seed).isPositive();
      assertThat(Duration.ofNanos(detectedAt - stepAt)).as("seed %d", seed).isLessThanOrEqualTo(Duration.ofSeconds(3));
      assertThat(link.estimate().changeGeneration()).as("seed %d", seed).isEqualTo(1);
      assertThat(millis(link.estimate().smoothed())).as("seed %d", seed).isCloseTo(30, within(1.0));
    }
  }

  @Test
  void recordRtt_tenMillisecondDrop_reportsChange() {
    feed(estimator, new Random(1), 60, 30);
    feed(estimator, new Random(2), 10, 20);

    assertThat(estimator.estimate().changeGeneration()).isEqualTo(1);
    assertThat(millis(estimator.estimate().smoothed())).isCloseTo(20, within(1.0));
  }

  /** 60 s of realistic samples: +-2 ms uniform jitter, 1% loss, 1% spikes of 20..80 ms; 200 seeds. */
  @Test
  void recordRtt_sixtySecondsOfTwoMillisecondJitterAndSpikes_neverSignalsChange() {
    for (long seed = 0; seed < 200; seed++) {
      FakeTicker clock = new FakeTicker();
      LinkEstimator link = new LinkEstimator(LinkEstimator.Settings.defaults(), clock);
      Random random = new Random(seed);
      for (long t = 0; t < Duration.ofSeconds(60).toNanos(); ) {
        double roll = random.nextDouble();
        if (roll < 0.01) {
          link.recordLoss();
        } else {
          double spike = roll < 0.02 ? 20 + 60 * random.nextDouble() : 0;
          assertThat(link.recordRtt(ms(25 + uniform(random, 2) + spike))).as("seed %d at %d ns", seed, t).isFalse();
        }
        Duration wait = jitteredInterval(random);
        clock.advance(wait);
        t += wait.toNanos();
      }

      assertThat(link.estimate().changeGeneration()).as("seed %d", seed).isZero();
      assertThat(millis(link.estimate().smoothed())).as("seed %d", seed).isCloseTo(25, within(1.0));
    }
  }

  @Test
  void recordRtt_linkWithFiveMillisecondJitter_noChangeOnNoiseButClearStepDetected() {
    feed(estimator, new Random(9), 120, 40, 5);
    assertThat(estimator.estimate().changeGeneration()).isZero();

    feed(estimator, new Random(10), 3, 55, 5);

    assertThat(estimator.estimate().changeGeneration()).isEqualTo(1);
  }

  @Test
  void recordRtt_twoSpikesInARow_isNotAChange() {
    feed(estimator, new Random(5), 20, 20);
    estimator.recordRtt(ms(60));
    estimator.recordRtt(ms(60));
    feed(estimator, new Random(6), 20, 20);

    assertThat(estimator.estimate().changeGeneration()).isZero();
  }

  @Test
  void recordRtt_slowColdStartSamples_areOutvotedWithoutAChange() {
    estimator.recordRtt(ms(45));
    estimator.recordRtt(ms(38));
    estimator.recordRtt(ms(33));
    feed(estimator, new Random(7), 40, 20);
    feed(estimator, new Random(8), 10, 30);

    assertThat(estimator.estimate().changeGeneration()).isEqualTo(1);
    assertThat(millis(estimator.estimate().smoothed())).isCloseTo(30, within(1.0));
  }

  @Test
  void recordRtt_threeMillisecondShift_isBelowHysteresisAndNotSignalled() {
    feed(estimator, new Random(3), 60, 20);
    feed(estimator, new Random(4), 60, 23);

    assertThat(estimator.estimate().changeGeneration()).isZero();
  }

  private void feed(LinkEstimator link, Random random, int samples, double centerMillis) {
    feed(link, random, samples, centerMillis, 1);
  }

  private void feed(LinkEstimator link, Random random, int samples, double centerMillis, double jitterMillis) {
    for (int i = 0; i < samples; i++) {
      link.recordRtt(ms(centerMillis + uniform(random, jitterMillis)));
      ticker.advance(jitteredInterval(random));
    }
  }

  /** The prober's schedule: 500 ms +-10%. */
  private static Duration jitteredInterval(Random random) {
    return Duration.ofNanos((long) (INTERVAL.toNanos() * (0.9 + 0.2 * random.nextDouble())));
  }

  private static double uniform(Random random, double amplitude) {
    return (random.nextDouble() * 2 - 1) * amplitude;
  }

  private static long ms(double millis) {
    return (long) (millis * 1_000_000);
  }

  private static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }
}
