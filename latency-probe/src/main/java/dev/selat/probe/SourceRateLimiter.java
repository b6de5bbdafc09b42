package dev.selat.probe;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per source address, so one noisy or hostile source cannot make the responder reflect more than
 * {@code ratePerSecond} (plus a burst) for it. At most {@code maxSources} buckets are kept, least recently seen
 * evicted first, so spoofed source addresses cannot grow memory. Not thread-safe: each owning thread has its own.
 */
final class SourceRateLimiter {
  private final double tokensPerNano;
  private final double burst;
  private final Ticker ticker;
  private final Map<InetAddress, Bucket> buckets;

  private static final class Bucket {
    double tokens;
    long refilledAt;
  }

  SourceRateLimiter(double ratePerSecond, int burst, int maxSources, Ticker ticker) {
    if (ratePerSecond <= 0) {
      throw new IllegalArgumentException("ratePerSecond: must be > 0, got " + ratePerSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst: must be >= 1, got " + burst);
    }
    this.tokensPerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.ticker = requireNonNull(ticker, "ticker");
    this.buckets = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<InetAddress, Bucket> eldest) {
        return size() > maxSources;
      }
    };
  }

  boolean tryAcquire(InetAddress source) {
    long now = ticker.nanos();
    Bucket bucket = buckets.get(source);
    if (bucket == null) {
      bucket = new Bucket();
      bucket.tokens = burst;
      bucket.refilledAt = now;
      buckets.put(source, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.refilledAt) * tokensPerNano);
    bucket.refilledAt = now;
    if (bucket.tokens < 1) {
      return false;
    }
    bucket.tokens -= 1;
    return true;
  }
}
