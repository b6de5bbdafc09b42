package dev.selat.emulator;

import static java.util.Objects.requireNonNull;

import dev.selat.emulator.acl.AclResolver;
import dev.selat.emulator.agent.CheckProbe;
import dev.selat.emulator.agent.ConnectCa;
import dev.selat.emulator.agent.LocalAgent;
import dev.selat.emulator.agent.LockDelays;
import dev.selat.emulator.agent.Reaper;
import dev.selat.emulator.http.Api;
import dev.selat.emulator.http.ConnectionLimiter;
import dev.selat.emulator.http.ConsulHandler;
import dev.selat.emulator.http.HttpServers;
import dev.selat.emulator.http.LeaderState;
import dev.selat.emulator.http.Site;
import dev.selat.emulator.state.Journal;
import dev.selat.emulator.state.MetaEntry;
import dev.selat.emulator.state.Node;
import dev.selat.emulator.state.StateStore;
import dev.selat.emulator.state.Table;
import dev.selat.emulator.state.Wal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.channels.ServerSocketChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Consul-compatible server (HTTP API v1) in this JVM. Instances share nothing: start one per
 * site. Timers (TTL checks, session TTLs, tombstone reaping) run on one named scheduler thread.
 */
public final class ConsulEmulator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsulEmulator.class);
  static final Duration TOMBSTONE_TTL = Duration.ofMinutes(15);

  private final EmulatorConfig config;
  private final StateStore store;
  private final HttpServers servers;
  private final ScheduledExecutorService timers;
  private final LeaderState leader;

  private ConsulEmulator(EmulatorConfig config, StateStore store, HttpServers servers, ScheduledExecutorService timers,
      LeaderState leader) {
    this.config = config;
    this.store = store;
    this.servers = servers;
    this.timers = timers;
    this.leader = leader;
  }

  /** The fault knob for raft leadership as clients see it (no leader, a stale follower); healthy at start. */
  public LeaderState leader() {
    return leader;
  }

  public static ConsulEmulator start(EmulatorConfig config) {
    return start(config, Clock.systemUTC(), Optional.empty());
  }

  /** Starts with {@code clock} for every timestamp and timer deadline (TTL checks, sessions, tombstones, lock delays). */
  public static ConsulEmulator start(EmulatorConfig config, Clock clock) {
    return start(config, clock, Optional.empty());
  }

  public static ConsulEmulator start(EmulatorConfig config, Optional<ServerSocketChannel> httpChannel) {
    return start(config, Clock.systemUTC(), httpChannel);
  }

  /**
   * Starts with the HTTP listener's socket already bound ({@link #bindHttp}): the standalone main
   * binds first so that a client polling the port waits in the accept queue instead of failing.
   * The channel is the emulator's from then on. When start-up fails half-way, everything opened so
   * far (the channel, the data dir's log and its lock, the HTTP server's threads) is closed before
   * the exception leaves.
   */
  public static ConsulEmulator start(EmulatorConfig config, Clock clock, Optional<ServerSocketChannel> httpChannel) {
    requireNonNull(config, "config");
    requireNonNull(clock, "clock");
    requireNonNull(httpChannel, "httpChannel");
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    httpChannel.ifPresent(opened::push);
    try {
      StateStore store = config.dataDir().isPresent() ? Wal.recover(config.dataDir().get(), 10_000)
          : new StateStore(Journal.NONE);
      opened.push(store::close);
      Map<String, String> tagged = new LinkedHashMap<>();
      for (String k : new String[] {"lan", "lan_ipv4", "wan", "wan_ipv4"}) {
        tagged.put(k, config.bindAddr());
      }
      Map<String, String> meta = new LinkedHashMap<>(config.nodeMeta());
      meta.put("consul-network-segment", "");
      meta.put("consul-version", Version.VERSION);
      Node self = new Node(config.nodeId(), config.nodeName(), config.bindAddr(), config.datacenter(), tagged, meta,
          0, 0);
      if (store.lastIndex() == 0) {
        // Consul's first raft entries are the cluster's own (configuration, leadership); catalog
        // writes never get index 1, and clients (sdk/testutil) wait for an index of at least 2.
        store.write(tx -> {
          tx.put(Table.META, "raft-bootstrap", new MetaEntry("raft-bootstrap", tx.txIndex()));
          return null;
        });
      }
      LocalAgent agent = new LocalAgent(store, clock, self, new CheckProbe());
      agent.start();
      AclResolver acls = new AclResolver(config.acl(), store, clock, config.datacenter());
      acls.init();
      LockDelays lockDelays = new LockDelays(clock);
      Reaper reaper = new Reaper(store, clock, lockDelays, TOMBSTONE_TTL);
      reaper.rearm();
      LeaderState leader = new LeaderState();
      Site site = new Site(config, store, clock, agent, acls, new ConnectCa(clock, config.datacenter()), lockDelays,
          reaper, leader);
      ConnectionLimiter limiter = new ConnectionLimiter(config.httpMaxConnsPerClient());
      ConsulHandler handler = new ConsulHandler(Api.router(site), config.kvMaxValueSize(), acls::resolve, limiter,
          leader);
      HttpServers servers = new HttpServers(config, handler, limiter, httpChannel);
      opened.push(servers);
      ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("consul-emulator-" + config.datacenter() + "-timers").factory());
      opened.push(timers::shutdownNow);
      timers.scheduleWithFixedDelay(() -> safely(agent::tick), 100, 100, TimeUnit.MILLISECONDS);
      timers.scheduleWithFixedDelay(() -> safely(reaper::tick), 100, 100, TimeUnit.MILLISECONDS);
      log.info("consul-emulator {} node {} serving {}{} ({})", config.datacenter(), config.nodeName(),
          servers.httpAddress(), servers.httpsAddress().map(u -> " and " + u).orElse(""),
          config.dataDir().map(d -> "data dir " + d).orElse("-dev, in memory"));
      return new ConsulEmulator(config, store, servers, timers, leader);
    } catch (Exception e) {
      closeAll(opened, e);
      if (e instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("consul-emulator failed to start: " + e.getMessage(), e);
    }
  }

  /** Closes what a failed start opened, newest first; their own failures ride on the start's. */
  private static void closeAll(Deque<AutoCloseable> opened, Exception cause) {
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (Exception e) {
        cause.addSuppressed(e);
      }
    }
  }

  /** Binds the configured HTTP address (clientAddr:httpPort), as the listener will. */
  public static ServerSocketChannel bindHttp(EmulatorConfig config) throws IOException {
    ServerSocketChannel ch = ServerSocketChannel.open();
    ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    ch.bind(new InetSocketAddress(config.clientAddr(), config.httpPort()), 1024);
    ch.configureBlocking(true);
    return ch;
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.warn("timer task failed", e);
    }
  }

  public URI httpAddress() {
    return servers.httpAddress();
  }

  public Optional<URI> httpsAddress() {
    return servers.httpsAddress();
  }

  public String datacenter() {
    return config.datacenter();
  }

  @Override
  public void close() {
    timers.shutdownNow();
    try {
      servers.close();
    } catch (Exception e) {
      log.warn("consul-emulator {} did not stop its HTTP server cleanly", config.datacenter(), e);
    }
    try {
      store.close();
    } catch (Exception e) {
      log.warn("consul-emulator {} did not close its state cleanly", config.datacenter(), e);
    }
  }
}
