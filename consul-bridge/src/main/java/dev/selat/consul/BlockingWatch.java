package dev.selat.consul;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One blocking-query loop (services list, health state, a KV prefix): query with the current index, hand the result to
 * the owner, query again, applying {@link BlockingIndex}, {@link TokenBucket} and {@link Backoff}. Every method and
 * handler runs on the site's owner; only the query itself runs on an I/O (virtual) thread. Durations come from the
 * monotonic {@link Ticker}.
 */
final class BlockingWatch<T> {
  private static final Logger log = LoggerFactory.getLogger(BlockingWatch.class);
  private final String endpoint;
  private final SiteExecutor owner;
  private final Executor io;
  private final Ticker ticker;
  private final LongFunction<QueryResult<T>> query;
  private final Consumer<QueryResult<T>> onResult;
  private final Consumer<ConsulQueryException> onFailure;
  private final SiteMetrics metrics;
  private final BlockingIndex index = new BlockingIndex();
  private final TokenBucket bucket;
  private final Backoff backoff;

  BlockingWatch(String endpoint, SiteConfig config, SiteExecutor owner, Executor io, Ticker ticker,
      RandomGenerator random, SiteMetrics metrics, LongFunction<QueryResult<T>> query, Consumer<QueryResult<T>> onResult,
      Consumer<ConsulQueryException> onFailure) {
    this.endpoint = endpoint;
    this.owner = owner;
    this.io = io;
    this.ticker = ticker;
    this.metrics = metrics;
    this.query = query;
    this.onResult = onResult;
    this.onFailure = onFailure;
    this.bucket = new TokenBucket(config.rateLimit(), ticker);
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
      owner.schedule(this::launch, delay);
    }
  }

  private void launch() {
    long sent = index.next();
    long started = ticker.nanos();
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

  private Duration since(long started) {
    return Duration.ofNanos(ticker.nanos() - started);
  }

  private void succeeded(QueryResult<T> result, long started) {
    metrics.queryFinished(true, endpoint, since(started), true);
    if (index.update(result.index())) {
      metrics.indexReset(endpoint);
    }
    metrics.leader(result.knownLeader(), result.lastContact());
    backoff.reset();
    try {
      onResult.accept(result);
    } catch (RuntimeException e) {
      // A bug in a handler must not end the watch.
      log.error("site {}: handling the answer of {} failed", metrics.siteId(), endpoint, e);
    }
    send();
  }

  private void failed(ConsulQueryException e, long started) {
    metrics.queryFinished(true, endpoint, since(started), false);
    onFailure.accept(e);
    owner.schedule(this::send, backoff.nextDelay());
  }
}
