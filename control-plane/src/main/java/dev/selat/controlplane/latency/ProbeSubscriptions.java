package dev.selat.controlplane.latency;

import static java.util.Objects.requireNonNull;

import dev.selat.consul.HealthStatus;
import dev.selat.consul.ServiceInstance;
import dev.selat.consul.SiteCatalog;
import dev.selat.controlplane.routing.SitePair;
import dev.selat.proto.v1.LatencyRow;
import dev.selat.proto.v1.LatencyServiceGrpc;
import dev.selat.proto.v1.LinkEstimate;
import dev.selat.proto.v1.WatchLatencyRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The probe agents' {@code LatencyService.Watch} streams. Agents are found in every site's catalog
 * (service {@code selat-probe}, meta {@code site}, {@code agent_id}, {@code grpc_port}); each gets one
 * stream, re-opened with jittered exponential backoff (1 s doubling to 30 s) when it ends. Every row
 * received replaces that agent's last one, and the estimates of all agents go to the sink together.
 * An agent that leaves the catalog is unsubscribed and its row forgotten; one whose stream broke keeps
 * its last row, which ages into probe-stale and then nominal in {@link Matrices}.
 */
public final class ProbeSubscriptions implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProbeSubscriptions.class);
  static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final String probeService;
  private final Consumer<Map<SitePair, List<AgentEstimate>>> sink;
  private final ScheduledExecutorService scheduler;
  /** Touched on the scheduler only. */
  private final Map<String, Map<String, Agent>> agentsBySite = new HashMap<>();
  private final Map<String, LatencyRow> rows = new TreeMap<>();
  private boolean closed;

  /** One agent: where it listens and its current stream. */
  private final class Agent {
    final String key;
    final String target;
    final ManagedChannel channel;
    ClientCallStreamObserver<WatchLatencyRequest> call;
    Duration backoff = MIN_BACKOFF;
    boolean gone;

    Agent(String key, String target) {
      this.key = key;
      this.target = target;
      this.channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    }

    void watch() {
      if (gone || closed) {
        return;
      }
      LatencyServiceGrpc.newStub(channel).watch(WatchLatencyRequest.getDefaultInstance(),
          new ClientResponseObserver<WatchLatencyRequest, LatencyRow>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchLatencyRequest> requestStream) {
              call = requestStream;
            }

            @Override
            public void onNext(LatencyRow row) {
              scheduler.execute(() -> {
                backoff = MIN_BACKOFF;
                if (!gone) {
                  rows.put(key, row);
                  publish();
                }
              });
            }

            @Override
            public void onError(Throwable t) {
              retry("stream failed: " + io.grpc.Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
              retry("stream ended");
            }
          });
    }

    void retry(String why) {
      scheduler.execute(() -> {
        if (gone || closed) {
          return;
        }
        long delay = ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2, backoff.toMillis() + 1);
        log.info("probe agent {} at {}: {}; again in {} ms", key, target, why, delay);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        scheduler.schedule(this::watch, delay, TimeUnit.MILLISECONDS);
      });
    }

    void close() {
      gone = true;
      if (call != null) {
        call.cancel("agent left the catalog", null);
      }
      channel.shutdownNow();
    }
  }

  public ProbeSubscriptions(String probeService, Consumer<Map<SitePair, List<AgentEstimate>>> sink,
      ScheduledExecutorService scheduler) {
    this.probeService = requireNonNull(probeService, "probeService");
    this.sink = requireNonNull(sink, "sink");
    this.scheduler = requireNonNull(scheduler, "scheduler");
  }

  /** consul-bridge listener (any thread): the site's probe agents now. */
  public void onCatalog(SiteCatalog catalog) {
    Map<String, String> seen = new TreeMap<>();
    catalog.service(probeService).ifPresent(entry -> {
      for (ServiceInstance i : entry.instances()) {
        String site = i.meta().getOrDefault("site", catalog.siteId());
        String grpcPort = i.meta().getOrDefault("grpc_port", "");
        if (grpcPort.isEmpty() || i.status() == HealthStatus.CRITICAL || i.status() == HealthStatus.MAINTENANCE) {
          continue;
        }
        String agentId = i.meta().getOrDefault("agent_id", i.id());
        seen.put(site + "/" + agentId, i.address() + ":" + grpcPort);
      }
    });
    scheduler.execute(() -> update(catalog.siteId(), seen));
  }

  private void update(String catalogSite, Map<String, String> seen) {
    if (closed) {
      return;
    }
    Map<String, Agent> current = agentsBySite.computeIfAbsent(catalogSite, s -> new HashMap<>());
    boolean changed = false;
    for (var it = current.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getValue().target.equals(seen.get(e.getKey()))) {
        e.getValue().close();
        it.remove();
        changed |= rows.remove(e.getKey()) != null;
      }
    }
    seen.forEach((key, target) -> current.computeIfAbsent(key, k -> {
      log.info("probe agent {} at {}: watching", k, target);
      Agent agent = new Agent(k, target);
      agent.watch();
      return agent;
    }));
    if (changed) {
      publish();
    }
  }

  private void publish() {
    Map<SitePair, List<AgentEstimate>> estimates = new TreeMap<>();
    for (LatencyRow row : rows.values()) {
      for (LinkEstimate e : row.getEstimatesList()) {
        estimates.computeIfAbsent(new SitePair(row.getSourceSite(), e.getTargetSite()), p -> new ArrayList<>())
            .add(estimate(row.getAgentId(), e));
      }
    }
    sink.accept(estimates);
  }

  static AgentEstimate estimate(String agentId, LinkEstimate e) {
    Duration rtt = Duration.ofSeconds(e.getRttSmoothed().getSeconds(), e.getRttSmoothed().getNanos());
    Instant last = Instant.ofEpochSecond(e.getLastSampleAt().getSeconds(), e.getLastSampleAt().getNanos());
    Duration jitter = Duration.ofSeconds(e.getJitter().getSeconds(), e.getJitter().getNanos());
    return new AgentEstimate(agentId, rtt, last, e.getStale(), e.getSamples() == 0, jitter, e.getLossRatio());
  }

  /** Cancels every stream; waits (up to 5 s) for the scheduler to do it. */
  @Override
  public void close() {
    try {
      scheduler.submit(() -> {
        closed = true;
        agentsBySite.values().forEach(m -> m.values().forEach(Agent::close));
        agentsBySite.clear();
      }).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
        | java.util.concurrent.RejectedExecutionException e) {
      log.warn("probe subscriptions did not close cleanly: {}", e.toString());
    }
  }
}
