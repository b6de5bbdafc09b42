package dev.selat.controlplane.server;

import static java.util.Objects.requireNonNull;

import dev.selat.controlplane.config.NodeMetadata;
import dev.selat.controlplane.routing.LatencyCell;
import dev.selat.controlplane.routing.LatencySource;
import dev.selat.controlplane.routing.SitePair;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The control plane's own meters, every name in one place (the README's metrics table lists these and the leaves':
 * {@code selat.xds.*} from xds-server's {@code XdsMetrics}, {@code selat.consul.*} from consul-bridge's
 * {@code SiteMetrics}, {@code selat.probe.*} from the probe agents). Tags are small fixed sets: sites and pairs of
 * configured sites (a proxy naming another site counts as {@code other}), roles, causes, kinds; never a node id.
 * Created once; the hot paths only increment; removed on {@link #close}. Thread-safe.
 */
final class ControlPlaneMetrics implements AutoCloseable {
  /** Route changes that reached the resources, by {@code cause} ({@link RouteListener.Cause}) and {@code kind}. */
  static final String ROUTE_CHANGES = "selat.routes.changes";
  /** From a change observed (catalog, site state, latency step) to the last ACK of the proxies it reached. */
  static final String PROPAGATION = "selat.routes.propagation";
  /** xDS streams open (a proxy on ADS holds one), by {@code site} and {@code role} (sidecar, gateway, grpc). */
  static final String PROXIES = "selat.proxies.connected";
  /** The matrix cell's RTT, by {@code from} and {@code to} site. */
  static final String MATRIX_RTT = "selat.latency.matrix.rtt";
  /** The RTT routing holds for the pair (after hysteresis). */
  static final String MATRIX_ROUTING_RTT = "selat.latency.matrix.routing.rtt";
  /** The age of the measurement behind the cell (0 for nominal). */
  static final String MATRIX_AGE = "selat.latency.matrix.age";
  /** 1 for the cell's current {@code source} (probe, probe-stale, nominal), 0 for the others. */
  static final String MATRIX_SOURCE = "selat.latency.matrix.source";
  /** Events of the status page's ring, by {@code kind} ({@link EventLog.Kind}). */
  static final String EVENTS = "selat.events";
  /** Routes (client site x service) that the policies leave without a healthy endpoint, at the last rebuild. */
  static final String POLICY_NO_ENDPOINTS = "selat.policy.routes.no.endpoints";
  /**
   * Times a route (client site or gateway x service) went from having a healthy endpoint, or none yet, to none left by
   * the policies (residency, a budget failing closed): what an alert counts, where the gauge says how many now.
   */
  static final String POLICY_BLOCKED = "selat.policy.routes.blocked";

  static final String OTHER_SITE = "other";
  /** The {@code kind} tag of {@link #ROUTE_CHANGES}. */
  static final List<EventLog.Kind> ROUTE_KINDS = List.of(EventLog.Kind.FAILOVER, EventLog.Kind.REORDER,
      EventLog.Kind.SHARES, EventLog.Kind.NEW_ROUTE);
  static final List<String> ROLES = List.of(NodeMetadata.ROLE_SIDECAR, NodeMetadata.ROLE_GATEWAY,
      NodeMetadata.ROLE_GRPC);

  private final MeterRegistry registry;
  private final List<Meter> registered = new ArrayList<>();
  private final List<String> sites;
  private final Map<String, AtomicInteger> proxies = new HashMap<>();
  private final Map<String, Counter> routeChanges = new HashMap<>();
  private final Map<EventLog.Kind, Counter> events = new HashMap<>();
  private final Timer propagation;
  private final Counter policyBlocked;

  /** @param views the engine's latest views, read at each scrape */
  ControlPlaneMetrics(MeterRegistry registry, List<String> sites, Supplier<RouteEngine.Views> views) {
    this.registry = requireNonNull(registry, "registry");
    this.sites = List.copyOf(sites);
    List<String> proxySites = new ArrayList<>(sites);
    proxySites.add(OTHER_SITE);
    for (String site : proxySites) {
      for (String role : ROLES) {
        AtomicInteger count = new AtomicInteger();
        keep(Gauge.builder(PROXIES, count, AtomicInteger::get).tags("site", site, "role", role)
            .description("xDS streams open (a proxy on ADS holds one), by the proxy's site and role").register(registry));
        proxies.put(site + "|" + role, count);
      }
    }
    for (RouteListener.Cause cause : RouteListener.Cause.values()) {
      for (EventLog.Kind kind : ROUTE_KINDS) {
        routeChanges.put(cause.tag() + "|" + kind.label(), keep(Counter.builder(ROUTE_CHANGES)
            .tags("cause", cause.tag(), "kind", kind.label())
            .description("Route changes that reached the xDS resources, by what caused them and what changed")
            .register(registry)));
      }
    }
    for (EventLog.Kind kind : EventLog.Kind.values()) {
      if (kind == EventLog.Kind.NEW_ROUTE) {
        continue; // counted as a route change, never listed
      }
      events.put(kind, keep(Counter.builder(EVENTS).tag("kind", kind.label())
          .description("Events of the status page's recent-events list").register(registry)));
    }
    propagation = keep(Timer.builder(PROPAGATION)
        .description("From a change observed (catalog, site state, latency) to the last ACK of the proxies it reached")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10))
        .maximumExpectedValue(Duration.ofMinutes(2)).register(registry));
    keep(Gauge.builder(POLICY_NO_ENDPOINTS, views, v -> v.get().withheldRoutes()).strongReference(true)
        .description("Routes (client site x service) that the policies leave without a healthy endpoint")
        .register(registry));
    policyBlocked = keep(Counter.builder(POLICY_BLOCKED)
        .description("Times a route was left without a healthy endpoint by the policies (residency, a budget failing closed)")
        .register(registry));
    for (String from : sites) {
      for (String to : sites) {
        if (!from.equals(to)) {
          pair(new SitePair(from, to), views);
        }
      }
    }
  }

  private void pair(SitePair pair, Supplier<RouteEngine.Views> views) {
    Tags tags = Tags.of("from", pair.from(), "to", pair.to());
    Supplier<Optional<LatencyCell>> cell = () -> Optional.ofNullable(views.get().measured().cells().get(pair));
    keep(TimeGauge.builder(MATRIX_RTT, cell, TimeUnit.NANOSECONDS,
            c -> c.get().map(l -> (double) l.rtt().toNanos()).orElse(Double.NaN))
        .strongReference(true).tags(tags).description("The latency matrix cell's RTT").register(registry));
    keep(TimeGauge.builder(MATRIX_AGE, cell, TimeUnit.NANOSECONDS,
            c -> c.get().map(l -> (double) l.age().toNanos()).orElse(Double.NaN))
        .strongReference(true).tags(tags).description("The age of the measurement behind the cell (0 for nominal)")
        .register(registry));
    keep(TimeGauge.builder(MATRIX_ROUTING_RTT, views, TimeUnit.NANOSECONDS,
            v -> v.get().held().held(pair.from(), pair.to()).map(h -> (double) h.rtt().toNanos()).orElse(Double.NaN))
        .strongReference(true).tags(tags).description("The RTT routing holds for the pair, after hysteresis")
        .register(registry));
    for (LatencySource source : LatencySource.values()) {
      keep(Gauge.builder(MATRIX_SOURCE, cell, c -> c.get().map(l -> l.source() == source ? 1.0 : 0.0).orElse(0.0))
          .strongReference(true).tags(tags.and("source", source.label()))
          .description("1 for the cell's current source (probe, probe-stale, nominal), 0 for the others")
          .register(registry));
    }
  }

  private <M extends Meter> M keep(M meter) {
    registered.add(meter);
    return meter;
  }

  /** The {@code site} tag for a proxy's site: configured sites as they are, any other as {@link #OTHER_SITE}. */
  String siteTag(String site) {
    return sites.contains(site) ? site : OTHER_SITE;
  }

  void proxyConnected(String site, String role, int delta) {
    AtomicInteger count = proxies.get(siteTag(site) + "|" + role);
    if (count != null) {
      count.addAndGet(delta);
    }
  }

  void routeChanged(RouteListener.Cause cause, EventLog.Kind kind) {
    Counter c = routeChanges.get(cause.tag() + "|" + kind.label());
    if (c != null) {
      c.increment();
    }
  }

  void policyBlocked() {
    policyBlocked.increment();
  }

  void event(EventLog.Kind kind) {
    events.get(kind).increment();
  }

  void propagated(Duration d) {
    propagation.record(d.isNegative() ? Duration.ZERO : d);
  }

  /** Removes these meters from the registry. */
  @Override
  public void close() {
    registered.forEach(registry::remove);
  }
}
