package dev.selat.consul;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;

/**
 * One blocking-query loop (services list, health state, a KV prefix): query with the current index, hand the result to
 * the owner, query again, applying {@link BlockingIndex}, {@link TokenBucket} and {@link Backoff}. Every method and
 * handler runs on the site's owner executor; only the query itself runs on an I/O (virtual) thread.
 */
final class BlockingWatch<T> {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BlockingWatch.class);
  private final String endpoint;
  private final ScheduledExecutorService owner;
  private final Executor io;
  private final Clock clock;
  private final LongFunction<QueryResult<T>> query;
  private final Consumer<QueryResult<T>> onResult;
  private final BiConsumer<ConsulQueryException, Instant> onFailure;
  private final SiteMetrics metrics;
  private final BlockingIndex index = new BlockingIndex();
  private final TokenBucket bucket;
  private final Backoff backoff;

  BlockingWatch(String endpoint, SiteConfig config, ScheduledExecutorService owner, Executor io, Clock clock,
      RandomGenerator random, SiteMetrics metrics, LongFunction<QueryResult<T>> query, Consumer<QueryResult<T>> onResult,
      BiConsumer<ConsulQueryException, Instant> onFailure) {
    this.endpoint = endpoint;
    this.owner = owner;
    this.io = io;
    this.clock = clock;
    this.metrics = metrics;
    this.query = query;
    this.onResult = onResult;
    this.onFailure = onFailure;
    this.bucket = new TokenBucket(config.rateLimit(), clock);
    this.backoff = new Backoff(config.backoffBase(), config.backoffCap(), random);
  }

  void start() {
    send();
  }

  private void send() {
    Duration delay = bucket.take();
    if (delay.isZero()) {
      launch();
    } else {
      owner.schedule(this::launch, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void launch() {
    long sent = index.next();
    Instant started = clock.instant();
    metrics.queryStarted(true);
    io.execute(() -> {
      try {
        QueryResult<T> result = query.apply(sent);
        owner.execute(() -> succeeded(result, started));
      } catch (ConsulQueryException e) {
        owner.execute(() -> failed(e, started));
      } catch (RuntimeException e) {
        owner.execute(() -> failed(new ConsulQueryException(metrics.siteId(), endpoint, 0, e.toString(), e), started));
      }
    });
  }

  private void succeeded(QueryResult<T> result, Instant started) {
    metrics.queryFinished(true, endpoint, Duration.between(started, clock.instant()), true);
    if (index.update(result.index())) {
      metrics.indexReset(endpoint);
    }
    metrics.leader(result.knownLeader(), result.lastContact());
    backoff.reset();
    try {
      onResult.accept(result);
    } catch (RuntimeException e) {
      // A bug in a handler (ours or a KV listener's) must not end the watch.
      log.error("site {}: handling the answer of {} failed", metrics.siteId(), endpoint, e);
    }
    send();
  }

  private void failed(ConsulQueryException e, Instant started) {
    metrics.queryFinished(true, endpoint, Duration.between(started, clock.instant()), false);
    onFailure.accept(e, started);
    owner.schedule(this::send, backoff.nextDelay().toNanos(), TimeUnit.NANOSECONDS);
  }
}
