package dev.selat.emulator.http;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A fault knob: how this single server reports raft leadership, so that a client's handling of a
 * cluster without a leader or of a stale follower can be exercised. Healthy (the default): the
 * server is the leader, {@code X-Consul-KnownLeader: true}, {@code X-Consul-LastContact: 0}.
 * <ul>
 *   <li>{@link #noLeader}: as a Consul server that lost its leader. Writes and default or
 *       {@code ?consistent} reads answer 500 "No cluster leader"; {@code ?stale} reads are served
 *       with {@code X-Consul-KnownLeader: false} and the given last contact; /v1/status/leader is "".
 *       Agent-local endpoints (/v1/agent/*) keep working.</li>
 *   <li>{@link #staleFollower}: a follower that last heard from its leader {@code lastContact}
 *       ago. {@code ?stale} reads report it in {@code X-Consul-LastContact} (unless it is above
 *       {@code ?max_stale}: then, as Consul, the read goes to the leader and reports 0); other
 *       reads are forwarded to the leader and report 0.</li>
 * </ul>
 * Thread-safe: tests flip it while requests run; each request reads one consistent setting.
 */
public final class LeaderState {
  private record Setting(boolean knownLeader, Duration lastContact) {}

  private volatile Setting setting = new Setting(true, Duration.ZERO);

  public void healthy() {
    setting = new Setting(true, Duration.ZERO);
  }

  public void noLeader(Duration lastContact) {
    setting = new Setting(false, requireNonNull(lastContact, "lastContact"));
  }

  public void staleFollower(Duration lastContact) {
    if (lastContact.isNegative()) {
      throw new IllegalArgumentException("lastContact must be >= 0, was " + lastContact);
    }
    setting = new Setting(true, lastContact);
  }

  public boolean knownLeader() {
    return setting.knownLeader();
  }

  /**
   * Applies the setting to one request: throws Consul's 500 when it needs a leader there is not,
   * else sets the leader headers of a reply that carries them.
   */
  Reply apply(String method, String path, Call call, Router.Endpoint handler) throws Exception {
    Setting s = setting;
    boolean local = path.startsWith("/v1/agent/") || path.startsWith("/v1/status/") || path.startsWith("/v1/event/");
    boolean stale = ("GET".equals(method) || "HEAD".equals(method)) && call.has("stale");
    Duration contact = s.lastContact();
    if (stale && call.param("max_stale") != null && contact.compareTo(GoDuration.parse(call.param("max_stale"))) > 0) {
      stale = false; // too stale for the caller: Consul retries the read on the leader
    }
    if (!s.knownLeader() && !local && !stale) {
      throw new HttpError(500, "No cluster leader");
    }
    Reply reply = handler.handle(call);
    if (reply.headers().containsKey("X-Consul-KnownLeader")) {
      reply.header("X-Consul-KnownLeader", String.valueOf(s.knownLeader()));
      reply.header("X-Consul-LastContact", stale ? Long.toString(contact.toMillis()) : "0");
    }
    return reply;
  }
}
