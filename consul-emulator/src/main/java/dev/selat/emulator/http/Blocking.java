package dev.selat.emulator.http;

import dev.selat.emulator.state.ReadTx;
import dev.selat.emulator.state.StateStore;
import dev.selat.emulator.state.Watches;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Consul's blocking queries (agent/http.go parseWait, agent/consul/rpc.go blockingQuery): with
 * {@code ?index=N} the answer waits until its index passes N or {@code ?wait} (default 5 min, max
 * 10 min, plus up to wait/16 of jitter) runs out; with {@code ?hash=H} (agent endpoints) until the
 * answer's content hash differs. The caller's virtual thread parks meanwhile.
 */
public final class Blocking {
  static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
  static final Duration MAX_WAIT = Duration.ofMinutes(10);

  /**
   * A query's answer: the value, its index, what it depends on, whether ACLs hid rows, and the content
   * hash when the endpoint computes its own (Consul's, for ?hash= and X-Consul-ContentHash) or null.
   */
  public record Answer(Object value, long index, Watches.WatchSet watch, boolean aclFiltered, String contentHash) {
    public Answer(Object value, long index, Watches.WatchSet watch, boolean aclFiltered) {
      this(value, index, watch, aclFiltered, null);
    }

    public Answer(Object value, long index, Watches.WatchSet watch) {
      this(value, index, watch, false, null);
    }
  }

  private Blocking() {}

  public static Reply run(Call c, StateStore store, Function<ReadTx, Answer> query) {
    QueryOptions opts = QueryOptions.parse(c);
    long deadline = System.nanoTime() + opts.maxWait().toNanos();
    while (true) {
      Watches.Waiter[] waiter = new Watches.Waiter[1];
      Answer a = store.read(r -> {
        Answer ans = query.apply(r);
        if (opts.blocking()) {
          waiter[0] = store.watches().register(ans.watch());
        }
        return ans;
      });
      try (Watches.Waiter w = waiter[0]) {
        String hash = a.contentHash() != null ? a.contentHash() : opts.hash() == null ? null : hash(a.value());
        boolean changed = opts.hash() != null ? !opts.hash().equals(hash) : Math.max(a.index(), 1) > opts.index();
        long left = deadline - System.nanoTime();
        if (!opts.blocking() || changed || left <= 0) {
          return reply(a, opts, hash);
        }
        if (!w.await(Duration.ofNanos(left))) {
          return reply(a, opts, hash);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HttpError(500, "interrupted");
      }
    }
  }

  /** Content hash as agent endpoints report it in X-Consul-ContentHash. */
  static String hash(Object value) {
    byte[] b = Json.write(value);
    long h = 0xcbf29ce484222325L;
    for (byte x : b) {
      h ^= x & 0xff;
      h *= 0x100000001b3L;
    }
    return HexFormat.of().toHexDigits(h);
  }

  private static Reply reply(Answer a, QueryOptions opts, String hash) {
    Reply r = Reply.json(a.value());
    meta(r, Math.max(a.index(), 1), opts);
    if (hash != null) {
      r.header("X-Consul-ContentHash", hash);
    }
    if (a.aclFiltered()) {
      r.header("X-Consul-Results-Filtered-By-ACLs", "true");
    }
    return r;
  }

  /** The headers every read answers with. */
  public static Reply meta(Reply r, long index, QueryOptions opts) {
    return r.header("X-Consul-Index", Long.toString(Math.max(index, 1)))
        .header("X-Consul-KnownLeader", "true")
        .header("X-Consul-LastContact", "0")
        .header("X-Consul-Effective-Consistency", opts.consistency());
  }

  /** ?index, ?wait, ?hash, ?stale, ?consistent, validated as Consul does. */
  public record QueryOptions(long index, String hash, Duration maxWait, String consistency) {
    boolean blocking() {
      return index > 0 || hash != null;
    }

    public static QueryOptions parse(Call c) {
      if (c.has("stale") && c.has("consistent")) {
        throw HttpError.badRequest("Cannot specify ?stale with ?consistent, conflicting semantics.");
      }
      String consistency = c.has("stale") ? "stale" : c.has("consistent") ? "consistent" : "leader";
      String maxStale = c.param("max_stale");
      if (maxStale != null) {
        try {
          GoDuration.parse(maxStale);
        } catch (IllegalArgumentException e) {
          throw HttpError.badRequest("Invalid max_stale value \"" + maxStale + "\"");
        }
      }
      long index = 0;
      String idx = c.param("index");
      if (idx != null && !idx.isEmpty()) {
        try {
          index = Long.parseUnsignedLong(idx);
        } catch (NumberFormatException e) {
          throw HttpError.badRequest("Invalid index");
        }
      }
      Duration wait = DEFAULT_WAIT;
      String w = c.param("wait");
      if (w != null && !w.isEmpty()) {
        try {
          wait = GoDuration.parse(w);
        } catch (IllegalArgumentException e) {
          throw HttpError.badRequest("Invalid wait time");
        }
        if (wait.compareTo(MAX_WAIT) > 0) {
          wait = MAX_WAIT;
        }
      }
      if (wait.isPositive()) {
        wait = wait.plusNanos(ThreadLocalRandom.current().nextLong(wait.toNanos() / 16 + 1));
      }
      String hash = c.param("hash");
      if (hash != null && hash.isEmpty()) {
        hash = null;
      }
      return new QueryOptions(index, hash, wait, consistency);
    }
  }
}
