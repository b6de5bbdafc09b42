package dev.selat.xds;

import static java.util.Objects.requireNonNull;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Selat's xDS server: ADS and the per-type CDS/EDS/LDS/RDS services, SotW and Delta, serving
 * whatever is {@linkplain #publish published} per group. Thread-safe; start once, close once.
 */
public final class XdsServer implements SnapshotPublisher, AutoCloseable {
  /** The {@code name} tag of the owned stream pool's executor meters. */
  private static final String POOL_METRICS_NAME = "selat.xds.stream";

  private final Server server;
  private final StreamContext ctx;
  private final ExecutorService ownedExecutor;
  private final XdsMetrics metrics;
  private final MeterRegistry registry;

  private XdsServer(Server server, StreamContext ctx, ExecutorService ownedExecutor, XdsMetrics metrics,
      MeterRegistry registry) {
    this.server = server;
    this.ctx = ctx;
    this.ownedExecutor = ownedExecutor;
    this.metrics = metrics;
    this.registry = registry;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The bound port, or -1 in-process. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void publish(String group, ResourceSnapshot snapshot) {
    ctx.store().publish(group, snapshot);
  }

  @Override
  public void publishAllowingEmpty(String group, ResourceSnapshot snapshot) {
    ctx.store().publishAllowingEmpty(group, snapshot);
  }

  /**
   * The streams connected now that sent their first request, by id: each as of its latest change
   * (a response sent, a request applied). Any thread; costs the streams nothing (each publishes its
   * status as it changes).
   */
  public List<XdsStreamStatus> streams() {
    return ctx.streams().stream()
        .map(XdsStream::status)
        .sorted(Comparator.comparingLong(s -> s.stream().id()))
        .toList();
  }

  /** Streams holding an admission slot (open, or not yet closed); for tests. */
  int admittedStreams() {
    return ctx.admission().open();
  }

  /** Streams watching a group's snapshots; for tests. */
  int watchingStreams() {
    return ctx.store().watcherCount();
  }

  /**
   * Stops the server and cuts its streams. xDS streams never end on their own, so there is
   * nothing to drain: clients keep their configuration and reconnect (to another replica). Every
   * stream's close (callbacks, gauges) has run when this returns; the server's meters are removed.
   */
  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
      if (ownedExecutor != null) {
        // Cut streams queued their close on it: let those run rather than drop them.
        ownedExecutor.shutdown();
        ownedExecutor.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (ownedExecutor != null) {
        ownedExecutor.shutdownNow();
        removePoolMeters(registry);
      }
      metrics.close();
    }
  }

  private static void removePoolMeters(MeterRegistry registry) {
    registry.getMeters().stream()
        .filter(m -> POOL_METRICS_NAME.equals(m.getId().getTag("name")))
        .toList()
        .forEach(registry::remove);
  }

  /** Configures and starts a server. Defaults suit production; tests set a port or in-process name. */
  public static final class Builder {
    private InetSocketAddress address = new InetSocketAddress(18000);
    private String inProcessName;
    private Path certChain;
    private Path privateKey;
    private Path trustedClientCa;
    private double maxNewStreamsPerSecond = 1_000;
    private int maxConcurrentStreams = 20_000;
    private long maxQueuedResponseBytes = 64L << 20;
    private Duration maxConnectionAge = Duration.ofMinutes(30);
    private Duration maxConnectionAgeGrace = Duration.ofMinutes(1);
    private Duration keepAliveTime = Duration.ofSeconds(30);
    private Duration keepAliveTimeout = Duration.ofSeconds(10);
    private int maxRstFramesPerWindow = 200;
    private int rstWindowSeconds = 10;
    private NodeGroupMapper mapper = NodeGroupMapper.byNodeCluster();
    private NodeIdentityVerifier verifier = NodeIdentityVerifier.permitAll();
    private XdsCallbacks callbacks = XdsCallbacks.NONE;
    private MeterRegistry meterRegistry;
    private Clock clock = Clock.systemUTC();
    private Executor executor;
    private final List<ServerServiceDefinition> extraServices = new java.util.ArrayList<>();

    private Builder() {}

    /**
     * Serves {@code service} beside xDS on the same port and transport (its own interceptors, auth included, are the
     * caller's). Handlers run on transport threads: a blocking one must hop to its own executor.
     */
    public Builder addService(ServerServiceDefinition service) {
      extraServices.add(requireNonNull(service, "service"));
      return this;
    }

    /** Listens on {@code address} (default: every interface, port 18000). */
    public Builder address(InetSocketAddress address) {
      this.address = requireNonNull(address, "address");
      return this;
    }

    /** Serves in-process only, under {@code name} (tests, benchmarks). */
    public Builder inProcess(String name) {
      this.inProcessName = requireNonNull(name, "name");
      return this;
    }

    /** TLS with a server certificate chain and PKCS#8 private key (PEM files). */
    public Builder tls(Path certChain, Path privateKey) {
      this.certChain = requireNonNull(certChain, "certChain");
      this.privateKey = requireNonNull(privateKey, "privateKey");
      return this;
    }

    /** Mutual TLS: like {@link #tls}, and every client must present a certificate signed by {@code trustedClientCa}. */
    public Builder mtls(Path certChain, Path privateKey, Path trustedClientCa) {
      tls(certChain, privateKey);
      this.trustedClientCa = requireNonNull(trustedClientCa, "trustedClientCa");
      return this;
    }

    /** New streams admitted per second (bursts up to one second's worth); beyond: RESOURCE_EXHAUSTED. */
    public Builder maxNewStreamsPerSecond(double perSecond) {
      this.maxNewStreamsPerSecond = perSecond;
      return this;
    }

    /** Streams open at once; beyond: RESOURCE_EXHAUSTED. */
    public Builder maxConcurrentStreams(int max) {
      this.maxConcurrentStreams = max;
      return this;
    }

    /**
     * Response bytes all streams together may have queued in the transport, not yet written to
     * their sockets (default 64 MiB); streams with something to send beyond it wait their turn.
     * This bounds a reconnect storm's direct memory to about this much, not N first responses.
     */
    public Builder maxQueuedResponseBytes(long bytes) {
      this.maxQueuedResponseBytes = bytes;
      return this;
    }

    /** Connections are closed after about this age (gRPC adds +-10% jitter), then a grace period. */
    public Builder maxConnectionAge(Duration age, Duration grace) {
      this.maxConnectionAge = requireNonNull(age, "age");
      this.maxConnectionAgeGrace = requireNonNull(grace, "grace");
      return this;
    }

    public Builder keepAlive(Duration time, Duration timeout) {
      this.keepAliveTime = requireNonNull(time, "time");
      this.keepAliveTimeout = requireNonNull(timeout, "timeout");
      return this;
    }

    /** HTTP/2 rapid-reset protection: a connection sending more RST_STREAMs than this per window is closed. */
    public Builder maxRstFramesPerWindow(int maxRstFrames, int windowSeconds) {
      this.maxRstFramesPerWindow = maxRstFrames;
      this.rstWindowSeconds = windowSeconds;
      return this;
    }

    public Builder nodeGroupMapper(NodeGroupMapper mapper) {
      this.mapper = requireNonNull(mapper, "mapper");
      return this;
    }

    public Builder nodeIdentityVerifier(NodeIdentityVerifier verifier) {
      this.verifier = requireNonNull(verifier, "verifier");
      return this;
    }

    public Builder callbacks(XdsCallbacks callbacks) {
      this.callbacks = requireNonNull(callbacks, "callbacks");
      return this;
    }

    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = requireNonNull(registry, "registry");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where stream work (diffing, building and sending responses) runs; each stream is serial on
     * it. Default: a pool with one thread per core, owned by the server.
     */
    public Builder executor(Executor executor) {
      this.executor = requireNonNull(executor, "executor");
      return this;
    }

    public XdsServer start() throws IOException {
      requireNonNull(meterRegistry, "meterRegistry: required");
      ExecutorService owned = executor == null ? newStreamPool() : null;
      if (owned != null) {
        // The pool's gauges only: monitor() would wrap it in timers that carry no help text (promtool refuses them).
        new ExecutorServiceMetrics(owned, POOL_METRICS_NAME, List.of()).bindTo(meterRegistry);
      }
      SnapshotStore store = new SnapshotStore(clock);
      OutboundBudget budget = new OutboundBudget(maxQueuedResponseBytes, System::nanoTime);
      XdsMetrics metrics = new XdsMetrics(meterRegistry, budget);
      StreamContext ctx = new StreamContext(store, metrics, new GuardedCallbacks(callbacks),
          mapper, verifier,
          new StreamAdmission(clock, maxNewStreamsPerSecond, maxConcurrentStreams), budget, clock,
          executor != null ? executor : owned, new AtomicLong(), ConcurrentHashMap.newKeySet());
      ServerBuilder<?> builder = inProcessName != null
          ? InProcessServerBuilder.forName(inProcessName)
          : netty();
      ClientCertificates certificates = new ClientCertificates();
      for (ServerServiceDefinition service : new DiscoveryServices(ctx).all()) {
        builder.addService(ServerInterceptors.intercept(service, certificates));
      }
      extraServices.forEach(builder::addService);
      // Handlers only enqueue onto stream executors, so they may run on transport threads.
      builder.directExecutor();
      try {
        return new XdsServer(builder.build().start(), ctx, owned, metrics, meterRegistry);
      } catch (IOException | RuntimeException e) {
        if (owned != null) {
          owned.shutdownNow();
          removePoolMeters(meterRegistry);
        }
        metrics.close();
        throw e;
      }
    }

    private NettyServerBuilder netty() throws IOException {
      if (maxRstFramesPerWindow <= 0 || rstWindowSeconds <= 0) {
        throw new IllegalArgumentException("maxRstFramesPerWindow: both values must be > 0");
      }
      return NettyServerBuilder.forAddress(address, credentials())
          .maxConnectionAge(maxConnectionAge.toMillis(), TimeUnit.MILLISECONDS)
          .maxConnectionAgeGrace(maxConnectionAgeGrace.toMillis(), TimeUnit.MILLISECONDS)
          .keepAliveTime(keepAliveTime.toMillis(), TimeUnit.MILLISECONDS)
          .keepAliveTimeout(keepAliveTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .permitKeepAliveTime(10, TimeUnit.SECONDS)
          .permitKeepAliveWithoutCalls(true)
          .maxRstFramesPerWindow(maxRstFramesPerWindow, rstWindowSeconds);
    }

    private ServerCredentials credentials() {
      return certChain == null ? InsecureServerCredentials.create()
          : new ServerTls(certChain, privateKey, java.util.Optional.ofNullable(trustedClientCa)).credentials();
    }

    private static ExecutorService newStreamPool() {
      AtomicInteger n = new AtomicInteger();
      return Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
        Thread t = new Thread(r, "selat-xds-stream-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }
  }
}
