package dev.selat.consul;

import java.util.random.RandomGenerator;

/** Always draws the top of the range, so a test sees backoff ceilings exactly (1, 2, 4, 8 s for a 1 s base). */
final class MaxRandom implements RandomGenerator {
  @Override
  public long nextLong() {
    return Long.MAX_VALUE;
  }

  @Override
  public long nextLong(long bound) {
    return bound - 1;
  }
}
