package dev.selat.controlplane.server;

import static java.util.Objects.requireNonNull;

import dev.selat.consul.SiteCatalog;
import dev.selat.consul.SiteFreshness;
import dev.selat.consul.SyncState;
import dev.selat.controlplane.config.GatewaySpec;
import dev.selat.controlplane.config.SelatConfig;
import dev.selat.controlplane.config.SiteSpec;
import dev.selat.controlplane.envoy.ClientKind;
import dev.selat.controlplane.envoy.ProxyResources;
import dev.selat.controlplane.latency.AgentEstimate;
import dev.selat.controlplane.latency.Matrices;
import dev.selat.controlplane.mesh.Catalogs;
import dev.selat.controlplane.routing.Brain;
import dev.selat.controlplane.routing.Gateway;
import dev.selat.controlplane.routing.HeldLatency;
import dev.selat.controlplane.routing.HostPort;
import dev.selat.controlplane.routing.LatencyMatrix;
import dev.selat.controlplane.routing.Policy;
import dev.selat.controlplane.routing.PolicyInput;
import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.controlplane.routing.SiteInput;
import dev.selat.controlplane.routing.SitePair;
import dev.selat.xds.ResourceSnapshot;
import dev.selat.xds.SnapshotPublisher;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publish loop. Catalogs and latency arrive from their sources on their threads and are handed
 * to one serial scheduler; changed services are marked dirty and rebuilt together after the debounce
 * (at most {@code maxDelay} after the first change); only the dirty services' routes are recomputed,
 * then the groups they reach are published. Nothing is published until every site has synced once or
 * spent its start budget: until then the xDS streams wait.
 */
final class RouteEngine {
  private static final Logger log = LoggerFactory.getLogger(RouteEngine.class);
  /** Route changes in one rebuild up to which each gets its own log line (shares before and after). */
  private static final int LOGGED_CHANGES = 10;
  /** The service every Consul server registers itself as. */
  private static final String CONSUL_SERVICE = "consul";

  private final SelatConfig config;
  private final SnapshotPublisher publisher;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final RouteListener listener;
  private final Map<String, SiteSpec> specs = new TreeMap<>();
  /** site -> its gateway as the brain takes it, for the sites that have one. */
  private final Map<String, Gateway> gateways = new TreeMap<>();

  // Everything below is touched on the scheduler only, except the volatile views and the group map.
  private final Map<String, SiteCatalog> catalogs = new HashMap<>();
  private final Map<String, SiteInput> inputs = new TreeMap<>();
  /** site -> its probe agents (the probe service only), for the gateways that forward probes to them. */
  private final Map<String, SiteInput> probeAgents = new TreeMap<>();
  private Map<SitePair, List<AgentEstimate>> estimates = Map.of();
  private HeldLatency held = HeldLatency.EMPTY;
  private final Set<String> dirty = new HashSet<>();
  /** Why each dirty service is dirty (the first cause in {@link RouteListener.Cause}'s order wins). */
  private final Map<String, RouteListener.Cause> causes = new HashMap<>();
  private Instant firstDirty;
  private ScheduledFuture<?> pending;
  /**
   * client site -> service -> route: written on the scheduler only, read by {@code /debug} from any thread (concurrent
   * maps, so that a rebuild never copies every route for the debug view).
   */
  private final Map<String, Map<String, ServiceRoute>> routes = new ConcurrentSkipListMap<>();
  /** site -> service -> the route of the site's gateway: the site's own instances. On the scheduler only. */
  private final Map<String, Map<String, ServiceRoute>> gatewayRoutes = new ConcurrentSkipListMap<>();
  private final Map<String, ProxyGroup> groups = new ConcurrentHashMap<>();
  private final ProxyResources resources;
  /** Services in the catalogs that are not the mesh's: Consul's own servers, and the probe agents. */
  private final Set<String> notRouted;
  private final String probeService;
  private volatile boolean ready;
  /** The stored policies (from {@link PolicySource}); routes wait for them as for the sites' first sync. */
  private List<Policy> policies = List.of();
  private boolean policiesKnown;
  /** policy name -> its migration's percent at the last tick, to re-route when a ramp steps. */
  private final Map<String, Integer> migrationPercents = new HashMap<>();
  /** (client site, instance site) -> the links on the configured path, for avoid_links. */
  private final Map<SitePair, List<String>> paths = new TreeMap<>();
  private volatile Views views = new Views(Collections.unmodifiableMap(routes), LatencyMatrix.EMPTY,
      HeldLatency.EMPTY, Map.of(), Map.of(), Map.of(), 0);

  /**
   * What {@code /debug} and the status page show: the routes (a live read-only view), and the latest matrix, site
   * inputs, sites' sync states and the probe agents' estimates behind the matrix, and how many routes (client site x
   * service) the policies leave without a healthy endpoint at the last rebuild, replaced as a whole.
   */
  record Views(Map<String, Map<String, ServiceRoute>> routes, LatencyMatrix measured, HeldLatency held,
      Map<String, SiteInput> sites, Map<String, SiteFreshness> states, Map<SitePair, List<AgentEstimate>> estimates,
      int withheldRoutes) {}

  RouteEngine(SelatConfig config, SnapshotPublisher publisher, ScheduledExecutorService scheduler, Clock clock,
      RouteListener listener) {
    this.config = requireNonNull(config, "config");
    this.publisher = requireNonNull(publisher, "publisher");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.clock = requireNonNull(clock, "clock");
    this.listener = requireNonNull(listener, "listener");
    this.resources = new ProxyResources(config.routing().overprovisioningFactor());
    this.probeService = config.latency().probeService();
    this.notRouted = Set.of(CONSUL_SERVICE, probeService);
    config.sites().forEach(s -> specs.put(s.id(), s));
    config.sites().forEach(s -> s.gateway().ifPresent(g -> gateways.put(s.id(), gateway(g))));
    for (String from : config.siteIds()) {
      for (String to : config.siteIds()) {
        paths.put(new SitePair(from, to), config.path(from, to).links());
      }
    }
  }

  /** The stored policies, whenever they change: any thread. Until the first call, nothing is routed. */
  void onPolicies(List<Policy> next) {
    List<Policy> copy = List.copyOf(next);
    scheduler.execute(() -> {
      policies = copy;
      policiesKnown = true;
      markAll(RouteListener.Cause.POLICY);
      checkReady();
      schedule();
    });
  }

  /** The engine's inputs at one moment, for queries that compute routes of their own (Explain, DryRun). */
  record RoutingState(Map<String, SiteInput> sites, HeldLatency held, PolicyInput policies, Set<String> clientSites) {}

  /** Runs {@code query} on the scheduler against the current inputs: any thread. */
  <T> java.util.concurrent.CompletableFuture<T> query(java.util.function.Function<RoutingState, T> query) {
    java.util.concurrent.CompletableFuture<T> out = new java.util.concurrent.CompletableFuture<>();
    scheduler.execute(() -> {
      try {
        out.complete(query.apply(new RoutingState(Map.copyOf(inputs), held, policyInput(), clientSites())));
      } catch (RuntimeException e) {
        out.completeExceptionally(e);
      }
    });
    return out;
  }

  /** The proxy group a stream was mapped to: any thread. */
  Optional<ProxyGroup> groupOf(String key) {
    return Optional.ofNullable(groups.get(key));
  }

  /** Starts the latency tick (the matrix ages even when no estimate arrives). */
  void start() {
    scheduler.execute(this::tick);
    scheduler.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
  }

  boolean ready() {
    return ready;
  }

  Views views() {
    return views;
  }

  /** consul-bridge listener: any thread. */
  void onCatalog(SiteCatalog catalog) {
    scheduler.execute(() -> {
      SiteCatalog before = catalogs.put(catalog.siteId(), catalog);
      SiteSpec spec = specs.get(catalog.siteId());
      if (spec == null) {
        return;
      }
      SiteInput input = Catalogs.toSiteInput(catalog, spec.consul().stalenessMode(), clock.instant(),
          s -> !notRouted.contains(s));
      Gateway gateway = gateways.get(catalog.siteId());
      inputs.put(catalog.siteId(), gateway == null ? input : input.withGateway(gateway));
      probeAgents.put(catalog.siteId(), Catalogs.toSiteInput(catalog, spec.consul().stalenessMode(), clock.instant(),
          probeService::equals));
      boolean stateChanged = before == null || before.freshness().state() != catalog.freshness().state()
          || before.freshness().decayed() != catalog.freshness().decayed();
      if (stateChanged) {
        log.info("site {}: {}", catalog.siteId(), catalog.freshness().state());
        if (before == null || before.freshness().state() != catalog.freshness().state()) {
          listener.siteState(catalog.siteId(), Optional.ofNullable(before).map(b -> b.freshness().state()),
              catalog.freshness().state());
        }
        markAll(RouteListener.Cause.SITE_STATE);
      } else {
        mark(catalog.delta().changed(), RouteListener.Cause.CATALOG);
        mark(catalog.delta().removed(), RouteListener.Cause.CATALOG);
      }
      checkReady();
      schedule();
    });
  }

  private static Gateway gateway(GatewaySpec spec) {
    Map<String, HostPort> byClientSite = new TreeMap<>();
    spec.from().forEach((site, at) -> byClientSite.put(site, new HostPort(at.address(), at.port())));
    return new Gateway(byClientSite, spec.address().map(at -> new HostPort(at.address(), at.port())));
  }

  /** The probe agents' latest estimates per pair: any thread. */
  void onEstimates(Map<SitePair, List<AgentEstimate>> latest) {
    scheduler.execute(() -> {
      estimates = Map.copyOf(latest);
      tick();
    });
  }

  /** {@code NodeGroupMapper}: once per stream, on a gRPC thread. */
  String group(Node node) {
    ProxyGroup group = ProxyGroup.of(node);
    if (groups.putIfAbsent(group.key(), group) == null) {
      log.info("proxy group {} (first node {})", group.key(), node.getId());
      scheduler.execute(() -> {
        if (ready) {
          publish(group, clock.instant());
        }
      });
    }
    return group.key();
  }

  private void tick() {
    Instant now = clock.instant();
    for (Policy p : policies) {
      p.migration().ifPresent(m -> {
        Integer before = migrationPercents.put(p.name(), m.percentAt(now));
        if (before != null && before != m.percentAt(now)) {
          log.info("policy {}: migration {} -> {} at {}%", p.name(), m.fromSite(), m.toSite(), m.percentAt(now));
          markAll(RouteListener.Cause.POLICY);
          schedule();
        }
      });
    }
    LatencyMatrix measured = Matrices.build(config, estimates, now);
    HeldLatency next = held.step(measured, now, config.routing());
    next.cells().forEach((pair, h) -> {
      if (h.divergingSince().isPresent() && held.held(pair.from(), pair.to()).flatMap(HeldLatency.Held::divergingSince)
          .isEmpty()) {
        listener.hysteresisHeld(pair, h.latest().rtt(), h.rtt());
      }
    });
    if (!next.sameRouting(held)) {
      log.info("latency: routing RTTs changed");
      markAll(RouteListener.Cause.LATENCY);
      schedule();
    }
    held = next;
    checkReady();
    views = new Views(views.routes(), measured, held, Map.copyOf(inputs), states(), estimates, views.withheldRoutes());
  }

  private void checkReady() {
    if (ready || !policiesKnown) {
      return;
    }
    for (String site : specs.keySet()) {
      SiteCatalog c = catalogs.get(site);
      if (c == null || c.freshness().state() == SyncState.SYNCING) {
        return;
      }
    }
    ready = true;
    log.info("ready: every site synced or past its start budget ({})", catalogs.values().stream()
        .map(c -> c.siteId() + "=" + c.freshness().state()).sorted().toList());
    markAll(RouteListener.Cause.STARTUP);
    schedule();
  }

  private void markAll(RouteListener.Cause cause) {
    inputs.values().forEach(s -> mark(s.services().keySet(), cause));
    routes.values().forEach(r -> mark(r.keySet(), cause));
    gatewayRoutes.values().forEach(r -> mark(r.keySet(), cause));
  }

  private void mark(java.util.Collection<String> services, RouteListener.Cause cause) {
    dirty.addAll(services);
    services.forEach(s -> causes.merge(s, cause, (a, b) -> a.ordinal() <= b.ordinal() ? a : b));
  }

  /** Each configured site's freshness as of its latest catalog: its state, and since when its data is old. */
  private Map<String, SiteFreshness> states() {
    Map<String, SiteFreshness> states = new TreeMap<>();
    specs.keySet().forEach(site -> states.put(site,
        catalogs.containsKey(site) ? catalogs.get(site).freshness() : SiteFreshness.SYNCING));
    return Collections.unmodifiableMap(states);
  }

  /** Debounce: run after {@code debounce} of quiet, but never later than {@code maxDelay} after the first change. */
  private void schedule() {
    if (dirty.isEmpty() || !ready) {
      return;
    }
    Instant now = clock.instant();
    if (firstDirty == null) {
      firstDirty = now;
    }
    Instant deadline = firstDirty.plus(config.routing().maxDelay());
    Instant at = now.plus(config.routing().debounce());
    if (at.isAfter(deadline)) {
      at = deadline;
    }
    if (pending != null) {
      pending.cancel(false);
    }
    long delay = Math.max(0, Duration.between(now, at).toMillis());
    pending = scheduler.schedule(this::rebuild, delay, TimeUnit.MILLISECONDS);
  }

  private void rebuild() {
    pending = null;
    Instant observedAt = firstDirty == null ? clock.instant() : firstDirty;
    firstDirty = null;
    Set<String> services = new TreeSet<>(dirty);
    Map<String, RouteListener.Cause> why = new HashMap<>(causes);
    dirty.clear();
    causes.clear();
    Set<String> touchedClients = new TreeSet<>();
    Set<String> touchedGateways = new TreeSet<>();
    List<String> changed = new ArrayList<>();
    for (String client : clientSites()) {
      if (update(client, false, services, why, changed)) {
        touchedClients.add(client);
      }
    }
    for (String site : gatewaySites()) {
      if (update(site, true, services, why, changed)) {
        touchedGateways.add(site);
      }
    }
    if (changed.size() <= LOGGED_CHANGES) {
      changed.forEach(c -> log.info("route {}", c));
    } else {
      log.info("{} routes changed, for clients in {} and gateways of {}; the first: {}", changed.size(), touchedClients,
          touchedGateways, changed.getFirst());
    }
    int withheld = (int) routes.values().stream().flatMap(r -> r.values().stream())
        .filter(r -> r.noEndpointsCause().isPresent()).count();
    views = new Views(views.routes(), views.measured(), held, Map.copyOf(inputs), states(), estimates, withheld);
    for (ProxyGroup group : groups.values()) {
      boolean due = group.gateway() ? touchedGateways.contains(group.site())
          : touchedClients.contains(group.site()) || !specs.containsKey(group.site());
      if (due) {
        publish(group, observedAt);
      }
    }
  }

  /**
   * Recomputes {@code services} for the clients of {@code site}, or for its gateway; says whether the resources of any
   * of them changed, and adds a line per change to {@code changed}.
   */
  private boolean update(String site, boolean gateway, Set<String> services, Map<String, RouteListener.Cause> why,
      List<String> changed) {
    Map<String, ServiceRoute> siteRoutes = (gateway ? gatewayRoutes : routes)
        .computeIfAbsent(site, c -> new ConcurrentSkipListMap<>());
    boolean any = false;
    for (String service : services) {
      ServiceRoute route = route(service, site, gateway);
      ServiceRoute before;
      if (!route.routed()) {
        before = siteRoutes.remove(service);
        resources.forget(site, service, gateway);
      } else {
        before = siteRoutes.put(service, route);
      }
      if (before == null ? route.routed() : !route.sameResources(before)) {
        any = true;
        listener.routeChanged(site, gateway, Optional.ofNullable(before), route,
            why.getOrDefault(service, RouteListener.Cause.CATALOG));
        changed.add(service + (gateway ? " at the gateway of " : " for ") + site + ": "
            + (before == null ? "{}" : new TreeMap<>(before.shares())) + " -> " + new TreeMap<>(route.shares()));
      }
    }
    return any;
  }

  /**
   * A route for the clients of {@code site} (every site's instances), or for its gateway (its own instances only, and
   * its own probe agents for the probe service).
   */
  private ServiceRoute route(String service, String site, boolean gateway) {
    if (!gateway) {
      return Brain.route(service, site, inputs, held, config.routing(), policyInput());
    }
    SiteInput own = (service.equals(probeService) ? probeAgents : inputs).get(site);
    return Brain.route(service, site, own == null ? Map.of() : Map.of(site, own), held, config.routing());
  }

  /**
   * The policies at this moment. A gateway's routes take none: it serves its own site's instances to clients whose
   * own routes already applied theirs.
   */
  PolicyInput policyInput() {
    return new PolicyInput(policies, paths, clock.instant());
  }

  /** Configured sites plus those named by proxies that are not configured (they get the unknown-site route). */
  private Set<String> clientSites() {
    Set<String> sites = new TreeSet<>(specs.keySet());
    groups.values().stream().filter(g -> !g.gateway()).forEach(g -> sites.add(g.site()));
    return sites;
  }

  /** The sites with a gateway connected. */
  private Set<String> gatewaySites() {
    Set<String> sites = new TreeSet<>();
    groups.values().stream().filter(ProxyGroup::gateway).forEach(g -> sites.add(g.site()));
    return sites;
  }

  private void publish(ProxyGroup group, Instant changeObservedAt) {
    Map<String, Map<String, ServiceRoute>> all = group.gateway() ? gatewayRoutes : routes;
    Map<String, ServiceRoute> siteRoutes = all.get(group.site());
    if (siteRoutes == null) {
      // A site (or gateway) first seen from this proxy: compute its routes now.
      Map<String, ServiceRoute> fresh = all.computeIfAbsent(group.site(), c -> new ConcurrentSkipListMap<>());
      Set<String> services = new TreeSet<>();
      inputs.values().forEach(site -> services.addAll(site.services().keySet()));
      if (group.gateway()) {
        services.add(probeService);
      }
      for (String service : services) {
        ServiceRoute route = route(service, group.site(), group.gateway());
        if (route.routed()) {
          fresh.putIfAbsent(service, route);
        }
      }
      siteRoutes = fresh;
    }
    List<ServiceRoute> wanted = siteRoutes.values().stream()
        .filter(r -> group.wants(r.service()) && !r.service().equals(probeService)).toList();
    Optional<ProxyResources.ProbeForwarding> probes = Optional.ofNullable(siteRoutes.get(probeService))
        .flatMap(agents -> group.probePort().map(port -> new ProxyResources.ProbeForwarding(agents, port)));
    ResourceSnapshot snapshot = group.gateway() ? resources.forGateway(wanted, group.outbound(), probes)
        : group.kind() == ClientKind.ENVOY ? resources.forEnvoy(wanted, group.outbound())
        : resources.forGrpc(wanted);
    listener.publishing(group.key(), changeObservedAt);
    publisher.publishAllowingEmpty(group.key(), snapshot);
  }
}
