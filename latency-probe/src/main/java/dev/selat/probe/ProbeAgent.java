package dev.selat.probe;

import static java.util.Objects.requireNonNull;

import dev.selat.common.ConsulTokens;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone probe agent ({@code selat-probe}): a responder, a prober towards its peers (static, or discovered
 * as {@code selat-probe} in each site's Consul), {@code LatencyService.Watch} on gRPC, and {@code /metrics}.
 * It publishes its row every second.
 *
 * <p>Threading: one "selat-probe-owner" thread owns the prober's state and the watch subscribers; one
 * "selat-probe-consul" thread does the blocking Consul calls (registration, discovery every {@code discoverEvery})
 * and hands the peer set to the prober.
 */
public final class ProbeAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProbeAgent.class);
  private static final Duration PUBLISH_EVERY = Duration.ofSeconds(1);

  private final ProbeAgentConfig config;
  private final ScheduledThreadPoolExecutor owner = ownerExecutor();
  private final ScheduledExecutorService consulThread =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("selat-probe-consul").daemon().factory());
  private final List<AutoCloseable> started = new ArrayList<>();
  /** Last peers found per Consul: a Consul that stops answering keeps its last answer (owned by consulThread). */
  private final Map<URI, List<ProbePeer>> discovered = new LinkedHashMap<>();
  /** The Consuls whose last call failed (owned by consulThread). */
  private final Set<URI> failing = new HashSet<>();
  private final AtomicBoolean registered = new AtomicBoolean();
  private final ConsulProbeDirectory directory;
  private final AtomicBoolean closed = new AtomicBoolean();
  private ProbeResponder responder;
  private Prober prober;
  private Server grpc;
  private MetricsHttpServer metrics;
  private EstimateGauges gauges;

  private ProbeAgent(ProbeAgentConfig config) throws IOException {
    this.config = config;
    this.directory = new ConsulProbeDirectory(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
        consulToken(config, System.getenv()));
  }

  public static ProbeAgent start(ProbeAgentConfig config, Clock clock, Ticker ticker,
      PrometheusMeterRegistry registry) throws IOException {
    ProbeAgent agent = new ProbeAgent(requireNonNull(config, "config"));
    try {
      agent.startParts(requireNonNull(clock, "clock"), requireNonNull(ticker, "ticker"),
          requireNonNull(registry, "registry"));
      return agent;
    } catch (IOException | RuntimeException e) {
      agent.close();
      throw e;
    }
  }

  private void startParts(Clock clock, Ticker ticker, PrometheusMeterRegistry registry) throws IOException {
    responder = startResponder(config, ticker, registry);
    started.add(responder);
    prober = Prober.start(Prober.Settings.of(config.agentId(), new InetSocketAddress(config.bindAddress(), 0))
        .withInterval(config.interval()), ticker, owner, new Random(), registry);
    started.add(prober);
    LatencyWatchService watch = new LatencyWatchService(owner);
    grpc = NettyServerBuilder.forAddress(new InetSocketAddress(config.bindAddress(), config.grpcPort()))
        .addService(watch)
        .build()
        .start();
    metrics = MetricsHttpServer.start(new InetSocketAddress(config.bindAddress(), config.metricsPort()), registry);
    started.add(metrics);
    gauges = new EstimateGauges(registry);
    owner.scheduleAtFixedRate(() -> prober.estimates().thenAccept(estimates -> {
      gauges.update(estimates);
      watch.publish(LatencyRows.toProto(config.siteId(), config.agentId(), clock.instant(), estimates));
    }), 0, PUBLISH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    prober.setPeers(staticPeers());
    if (config.register() || !config.discover().isEmpty()) {
      consulThread.scheduleWithFixedDelay(this::consulRound, 0, config.discoverEvery().toMillis(),
          TimeUnit.MILLISECONDS);
    }
    log.info("selat-probe {} for site {}: probes on {}, gRPC on {}, metrics on {}", config.agentId(),
        config.siteId(), responder.udpAddress(), grpcAddress(), metrics.address());
  }

  public Prober prober() {
    return prober;
  }

  public InetSocketAddress probeAddress() {
    return responder.udpAddress();
  }

  public InetSocketAddress grpcAddress() {
    return new InetSocketAddress(config.bindAddress(), grpc.getPort());
  }

  public InetSocketAddress metricsAddress() {
    return metrics.address();
  }

  /**
   * Registers until Consul has taken it (an unreachable Consul at start does not stop the agent), registers again
   * whenever Consul no longer has it, then finds the peers. A Consul that stops answering keeps its last answer, and
   * its failure is logged once per outage.
   */
  private void consulRound() {
    if (config.register()) {
      URI consul = config.consul().orElseThrow();
      call(consul, () -> {
        boolean wasRegistered = registered.get();
        if (wasRegistered && directory.isRegistered(consul, config.agentId())) {
          return;
        }
        directory.register(consul, config, responder.tcpAddress().getPort(), grpc.getPort());
        registered.set(true);
        if (wasRegistered) {
          log.warn("consul {} had lost {} (an agent restarted without its data?): registered it again", consul,
              ConsulProbeDirectory.serviceId(config.agentId()));
        } else {
          log.info("registered {} as {} in {}", config.agentId(), ProbeAgentConfig.SERVICE_NAME, consul);
        }
      });
    }
    if (config.discover().isEmpty()) {
      return;
    }
    for (URI consul : config.discover()) {
      call(consul, () -> discovered.put(consul, directory.passingAgents(consul).stream()
          .filter(entry -> !entry.agentId().equals(config.agentId()) && !entry.site().equals(config.siteId()))
          .map(entry -> peer(entry.site(), entry.address(), entry.port()))
          .toList()));
    }
    List<ProbePeer> peers = new ArrayList<>(staticPeers());
    discovered.values().forEach(found -> found.stream().filter(p -> !peers.contains(p)).forEach(peers::add));
    prober.setPeers(peers);
  }

  private interface ConsulCall {
    void run() throws IOException;
  }

  /** Runs a call to one Consul; false (logged on the first failure of an outage) when it failed. */
  private boolean call(URI consul, ConsulCall call) {
    try {
      call.run();
      if (failing.remove(consul)) {
        log.info("consul {} answers again", consul);
      }
      return true;
    } catch (IOException | RuntimeException e) {
      if (failing.add(consul)) {
        log.warn("consul {} failed ({}); retrying every {} ms, keeping the last peers found there", consul,
            e.getMessage(), config.discoverEvery().toMillis());
      }
      return false;
    }
  }

  private List<ProbePeer> staticPeers() {
    return config.peers().stream().map(p -> peer(p.site(), p.address(), p.port())).toList();
  }

  private ProbePeer peer(String site, String host, int port) {
    InetSocketAddress address = new InetSocketAddress(host, port);
    return new ProbePeer(site, address, address, config.pathTo(site));
  }

  /**
   * The token for the agent's Consul, by the rule every Selat module shares ({@link ConsulTokens}): the configured
   * {@code consul.tokenFile}, else {@code CONSUL_HTTP_TOKEN_FILE}, else {@code CONSUL_HTTP_TOKEN}.
   */
  static Optional<String> consulToken(ProbeAgentConfig config, Map<String, String> env) {
    try {
      return ConsulTokens.resolve(Optional.empty(), config.consulTokenFile(), env);
    } catch (ConsulTokens.TokenFileException e) {
      throw new IllegalArgumentException(
          (e.fromEnvironment() ? ConsulTokens.TOKEN_FILE_VARIABLE : "consul.tokenFile") + ": " + e.problem(), e);
    }
  }

  /**
   * UDP and TCP probes share one port number, which peers learn from Consul. Port 0 (tests) picks a number free for
   * UDP and retries if TCP happens to have it taken.
   */
  private static ProbeResponder startResponder(ProbeAgentConfig config, Ticker ticker,
      PrometheusMeterRegistry registry) throws IOException {
    for (int attempt = 1; ; attempt++) {
      int port = config.probePort();
      if (port == 0) {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(config.bindAddress(), 0))) {
          port = probe.getLocalPort();
        }
      }
      InetSocketAddress bind = new InetSocketAddress(config.bindAddress(), port);
      try {
        return ProbeResponder.start(ProbeResponder.Settings.of(bind, bind).withAllowedAgents(config.allowedAgents()),
            ticker, registry);
      } catch (BindException e) {
        if (config.probePort() != 0 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  /**
   * The thread that owns the prober's state and the watch subscribers. At shutdown it still runs the tasks already
   * due (the prober's last clean-up) but drops the pending probe ticks, so that it ends at once.
   */
  private static ScheduledThreadPoolExecutor ownerExecutor() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("selat-probe-owner").daemon().factory());
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return executor;
  }

  /**
   * Deregisters and stops everything: when it returns, the agent's threads have ended and its meters are gone from the
   * registry. Idempotent (the shutdown hook and the main thread may both call it).
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    consulThread.shutdownNow();
    try {
      // A registration in flight either completes (and is undone below) or is interrupted.
      consulThread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (registered.get()) {
      try {
        directory.deregister(config.consul().orElseThrow(), config.agentId());
      } catch (IOException | RuntimeException e) {
        log.warn("deregistration from {} failed: {}", config.consul().orElseThrow(), e.getMessage());
      }
    }
    if (grpc != null) {
      grpc.shutdownNow();
    }
    for (AutoCloseable part : started.reversed()) {
      try {
        part.close();
      } catch (Exception e) {
        log.debug("closing {} failed", part, e);
      }
    }
    // shutdown(), not shutdownNow(): the prober's clean-up task, queued by its close, must still run.
    owner.shutdown();
    try {
      boolean stopped = owner.awaitTermination(5, TimeUnit.SECONDS)
          && (grpc == null || grpc.awaitTermination(5, TimeUnit.SECONDS));
      if (!stopped) {
        log.warn("selat-probe {}: a thread did not stop within 5 s", config.agentId());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    owner.shutdownNow();
    if (gauges != null) {
      gauges.close();
    }
  }
}
