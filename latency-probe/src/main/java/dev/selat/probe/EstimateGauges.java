package dev.selat.probe;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The latest estimate of each peer as gauges (p50, smoothed RTT, jitter, loss ratio, stale, change generation),
 * beside the RTT histograms, so that dashboards and alerts (a stale link, say) need no gRPC client. {@link #update}
 * is called by the agent's owner thread; scrapes read the latest values from any thread.
 */
final class EstimateGauges {
  private final MeterRegistry registry;
  private final Map<ProbePeer, RttEstimate> latest = new ConcurrentHashMap<>();
  private final Map<ProbePeer, List<Meter>> meters = new ConcurrentHashMap<>();

  EstimateGauges(MeterRegistry registry) {
    this.registry = requireNonNull(registry, "registry");
  }

  void update(List<PeerEstimate> estimates) {
    Set<ProbePeer> current = estimates.stream().map(PeerEstimate::peer).collect(Collectors.toSet());
    meters.keySet().stream().filter(peer -> !current.contains(peer)).toList().forEach(gone -> {
      meters.remove(gone).forEach(registry::remove);
      latest.remove(gone);
    });
    for (PeerEstimate e : estimates) {
      latest.put(e.peer(), e.estimate());
      meters.computeIfAbsent(e.peer(), this::register);
    }
  }

  /** Removes every gauge; called once nothing calls {@link #update} any more. */
  void close() {
    meters.values().forEach(list -> list.forEach(registry::remove));
    meters.clear();
    latest.clear();
  }

  private List<Meter> register(ProbePeer peer) {
    Tags tags = PeerProbe.tags(peer);
    return List.of(
        time(peer, tags, "selat.probe.rtt.p50", "Median RTT over the estimator window", RttEstimate::p50),
        time(peer, tags, "selat.probe.rtt.smoothed", "RTT for routing: median since the last real change",
            RttEstimate::smoothed),
        time(peer, tags, "selat.probe.jitter", "RFC 3550 jitter of consecutive RTTs", RttEstimate::jitter),
        gauge(peer, tags, "selat.probe.loss.ratio", "Lost / sent probes over the window", RttEstimate::lossRatio),
        gauge(peer, tags, "selat.probe.stale", "1 when no RTT sample arrived within the staleness window",
            e -> e.stale() ? 1 : 0),
        gauge(peer, tags, "selat.probe.change.generation", "Real RTT level changes seen so far",
            RttEstimate::changeGeneration));
  }

  private Meter time(ProbePeer peer, Tags tags, String name, String description,
      Function<RttEstimate, Duration> value) {
    return TimeGauge.builder(name, latest, TimeUnit.NANOSECONDS,
            m -> m.containsKey(peer) ? value.apply(m.get(peer)).toNanos() : Double.NaN)
        .description(description).tags(tags).register(registry);
  }

  private Meter gauge(ProbePeer peer, Tags tags, String name, String description, ToDoubleFunction<RttEstimate> value) {
    return Gauge.builder(name, latest, m -> m.containsKey(peer) ? value.applyAsDouble(m.get(peer)) : Double.NaN)
        .description(description).tags(tags).register(registry);
  }
}
