package dev.selat.consul;

import static org.assertj.core.api.Assertions.assertThat;

import dev.selat.testkit.FakeScheduler;
import java.time.Duration;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BlockingRulesTest {
  /** Burst 2, one more every 15 s: round numbers for the bucket's arithmetic. */
  private static final WatchRateLimit LIMIT = new WatchRateLimit(2, Duration.ofSeconds(15));


  @Test
  void index_firstQuery_isPlainRead() {
    assertThat(new BlockingIndex().next()).isZero();
  }

  @Test
  void index_returnedZero_sendsOneNeverZero() {
    BlockingIndex index = new BlockingIndex();
    index.update(0);
    assertThat(index.next()).isEqualTo(1);
    index.update(-5);
    assertThat(index.next()).isEqualTo(1);
  }

  @Test
  void index_risesAndStays_isFollowed() {
    BlockingIndex index = new BlockingIndex();
    assertThat(index.update(42)).isFalse();
    assertThat(index.update(42)).isFalse();
    assertThat(index.next()).isEqualTo(42);
  }

  @Test
  void index_goesBackwards_resetsToPlainReadThenFollowsNewIndex() {
    BlockingIndex index = new BlockingIndex();
    index.update(100);
    assertThat(index.update(7)).isTrue();
    assertThat(index.next()).isZero();
    assertThat(index.update(7)).isFalse();
    assertThat(index.next()).isEqualTo(7);
  }

  @Test
  void tokenBucket_quiet_burstOfTwoWithoutWaiting() {
    FakeScheduler time = new FakeScheduler();
    TokenBucket bucket = new TokenBucket(LIMIT, time::nanos);
    assertThat(bucket.take()).isZero();
    assertThat(bucket.take()).isZero();
  }

  @Test
  void tokenBucket_churn_degradesToOneQueryPer15Seconds() {
    FakeScheduler time = new FakeScheduler();
    TokenBucket bucket = new TokenBucket(LIMIT, time::nanos);
    bucket.take();
    bucket.take();
    Duration wait = bucket.take();
    assertThat(wait).isEqualTo(Duration.ofSeconds(15));
    for (int i = 0; i < 10; i++) {
      time.forward(wait);
      wait = bucket.take();
      assertThat(wait).isEqualTo(Duration.ofSeconds(15));
    }
  }

  @Test
  void tokenBucket_afterQuietPeriod_burstRefillsButNotBeyondTwo() {
    FakeScheduler time = new FakeScheduler();
    TokenBucket bucket = new TokenBucket(LIMIT, time::nanos);
    bucket.take();
    bucket.take();
    time.forward(Duration.ofMinutes(10));
    assertThat(bucket.take()).isZero();
    assertThat(bucket.take()).isZero();
    assertThat(bucket.take()).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void tokenBucket_partialRefill_waitsOnlyTheRest() {
    FakeScheduler time = new FakeScheduler();
    TokenBucket bucket = new TokenBucket(LIMIT, time::nanos);
    bucket.take();
    bucket.take();
    time.forward(Duration.ofSeconds(10));
    assertThat(bucket.take()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void backoff_upperBound_doublesUpToCap() {
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), new MaxRandom());
    assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(2));
    assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(4));
    assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(8));
    assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(10));
    for (int i = 0; i < 100; i++) {
      assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(10));
    }
  }

  @Test
  void backoff_fullJitter_drawsFromZeroToCeiling() {
    RandomGenerator zero = new RandomGenerator() {
      @Override
      public long nextLong() {
        return 0;
      }

      @Override
      public long nextLong(long bound) {
        return 0;
      }
    };
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), zero);
    assertThat(backoff.nextDelay()).isZero();
    Backoff real = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), RandomGenerator.of("L64X128MixRandom"));
    for (int i = 0; i < 1000; i++) {
      assertThat(real.nextDelay()).isBetween(Duration.ZERO, Duration.ofSeconds(10));
    }
  }

  @Test
  void backoff_reset_startsAgainFromBase() {
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), new MaxRandom());
    backoff.nextDelay();
    backoff.nextDelay();
    backoff.reset();
    assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(1));
  }
}
