package dev.selat.controlplane.server;

import dev.selat.consul.CatalogDelta;
import dev.selat.consul.HealthStatus;
import dev.selat.consul.ServiceEntry;
import dev.selat.consul.ServiceInstance;
import dev.selat.consul.SiteCatalog;
import dev.selat.consul.SiteFreshness;
import dev.selat.consul.Weights;
import dev.selat.controlplane.config.ConfigLoader;
import dev.selat.controlplane.config.SelatConfig;
import dev.selat.testkit.FakeScheduler;
import dev.selat.xds.ResourceSnapshot;
import dev.selat.xds.SnapshotPublisher;
import dev.selat.xds.XdsServer;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The brain's cost as the publish loop pays it (issue 17, item 3): {@link RouteEngine} with the real operator view
 * (metrics, events, propagation) publishing to a real in-process {@link XdsServer}, three Envoy groups (one per client
 * site), on a {@link FakeScheduler} so that the debounce costs no wall time. The mesh: {@code services} services with
 * 10 instances each over the three sites (4, 3, 3).
 *
 * <ul>
 *   <li>{@code fullBuild}: a control plane's start: the three sites' catalogs and the (empty) policies arrive, the
 *       engine computes every service's route for every client site, builds every resource and publishes the three
 *       groups.
 *   <li>{@code oneService}: one Consul change: a catalog of {@code jakarta} in which one instance of one service
 *       turned critical (or back), with its delta, as consul-bridge hands it over; everything the engine does for it
 *       (the catalog's conversion, the three client sites' routes of that service, the resources and the three
 *       snapshots) until the groups are published.
 * </ul>
 *
 * <p>In {@code dev.selat.controlplane.server} because the engine is package-private (as a test would be).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-XX:+UseG1GC"})
public class RouteEngineBench {
  static final List<String> SITES = List.of("jakarta", "alibaba-sg", "aws-sg");
  /** Instances per service in each site: 10 per service. */
  static final int[] PER_SITE = {4, 3, 3};
  /** Distinct services whose change {@code oneService} cycles through. */
  static final int CHANGED_SERVICES = 16;

  /** The mesh's catalogs, built once per trial: what consul-bridge would hand over. */
  @State(Scope.Benchmark)
  public static class Mesh {
    @Param({"1000", "10000"})
    public int services;

    SelatConfig config;
    List<SiteCatalog> catalogs;
    /** The {@code jakarta} catalog with one instance of {@code changed[j]} critical, for each j. */
    List<SiteCatalog> variants;
    /** The {@code jakarta} catalog as it was, with the delta that undoes {@code variants[j]}. */
    List<SiteCatalog> restores;
    List<String> changed;

    @Setup(Level.Trial)
    public void build() {
      config = config();
      catalogs = new ArrayList<>();
      for (int s = 0; s < SITES.size(); s++) {
        catalogs.add(catalog(SITES.get(s), s, services, Set.of(), CatalogDelta.NONE));
      }
      variants = new ArrayList<>();
      restores = new ArrayList<>();
      changed = new ArrayList<>();
      SiteCatalog base = catalogs.get(0);
      for (int j = 0; j < CHANGED_SERVICES; j++) {
        String service = serviceName(j * (services / CHANGED_SERVICES));
        changed.add(service);
        CatalogDelta delta = new CatalogDelta(Set.of(service), Set.of());
        variants.add(catalog(SITES.get(0), 0, services, Set.of(service), delta));
        restores.add(new SiteCatalog(base.siteId(), base.region(), base.generation(), base.services(), delta,
            base.freshness()));
      }
    }
  }

  /** A started engine with every route built and published, for {@code oneService}. */
  @State(Scope.Benchmark)
  public static class Running {
    Loop loop;
    long ops;

    @Setup(Level.Trial)
    public void start(Mesh mesh) throws IOException {
      loop = new Loop(mesh.config);
      loop.startWith(mesh.catalogs);
      if (loop.routes() != SITES.size() * mesh.services) {
        throw new IllegalStateException("expected " + SITES.size() * mesh.services + " routes, got " + loop.routes());
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      // Every change reached the three groups: the benchmark measured real publishes.
      int expected = SITES.size() * (int) (1 + ops);
      if (loop.publishes() != expected) {
        throw new IllegalStateException("expected " + expected + " publishes, got " + loop.publishes());
      }
      loop.close();
    }
  }

  /** A fresh engine and xDS server per invocation, for {@code fullBuild}. */
  @State(Scope.Thread)
  public static class Fresh {
    Loop loop;

    @Setup(Level.Invocation)
    public void create(Mesh mesh) throws IOException {
      loop = new Loop(mesh.config);
    }

    @TearDown(Level.Invocation)
    public void close(Mesh mesh) {
      if (loop.publishes() != SITES.size() || loop.routes() != SITES.size() * mesh.services) {
        throw new IllegalStateException("full build published " + loop.publishes() + ", " + loop.routes() + " routes");
      }
      loop.close();
    }
  }

  @Benchmark
  public int fullBuild(Mesh mesh, Fresh fresh) {
    fresh.loop.startWith(mesh.catalogs);
    return fresh.loop.publishes();
  }

  @Benchmark
  public int oneService(Mesh mesh, Running running) {
    long op = running.ops++;
    int j = (int) ((op / 2) % CHANGED_SERVICES);
    // Even ops turn the instance critical, odd ones back: consecutive catalogs differ in that one service.
    SiteCatalog next = (op % 2 == 0 ? mesh.variants : mesh.restores).get(j);
    running.loop.change(next);
    return running.loop.publishes();
  }

  /** The engine, its operator view and an in-process xDS server, driven on fake time from the benchmark's thread. */
  static final class Loop implements AutoCloseable {
    private static final AtomicInteger SERVERS = new AtomicInteger();
    private final SelatConfig config;
    private final FakeScheduler scheduler = new FakeScheduler();
    private final XdsServer xds;
    private final RouteEngine engine;
    private final AtomicInteger publishes = new AtomicInteger();

    Loop(SelatConfig config) throws IOException {
      this.config = config;
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      AtomicReference<RouteEngine> self = new AtomicReference<>();
      OperatorView view = new OperatorView(
          new ControlPlaneMetrics(registry, config.siteIds(), () -> self.get().views()),
          new EventLog(scheduler.wallClock()), scheduler.wallClock());
      xds = XdsServer.builder().inProcess("route-engine-bench-" + SERVERS.incrementAndGet())
          .meterRegistry(registry).clock(scheduler.wallClock()).callbacks(view).start();
      SnapshotPublisher counting = new SnapshotPublisher() {
        @Override
        public void publish(String group, ResourceSnapshot snapshot) {
          publishes.incrementAndGet();
          xds.publish(group, snapshot);
        }

        @Override
        public void publishAllowingEmpty(String group, ResourceSnapshot snapshot) {
          publishes.incrementAndGet();
          xds.publishAllowingEmpty(group, snapshot);
        }
      };
      engine = new RouteEngine(config, counting, scheduler, scheduler.wallClock(), view);
      self.set(engine);
      SITES.forEach(site -> engine.group(Node.newBuilder().setId("envoy-" + site)
          .setLocality(Locality.newBuilder().setZone(site)).build()));
    }

    /** A control plane's start: policies and the sites' first catalogs, then the debounce. */
    void startWith(List<SiteCatalog> catalogs) {
      engine.start();
      engine.onPolicies(List.of());
      catalogs.forEach(engine::onCatalog);
      scheduler.forward(config.routing().debounce());
    }

    /** One catalog update, then the debounce: the rebuild and the publishes run on this thread. */
    void change(SiteCatalog catalog) {
      engine.onCatalog(catalog);
      scheduler.forward(config.routing().debounce());
    }

    int publishes() {
      return publishes.get();
    }

    int routes() {
      return engine.views().routes().values().stream().mapToInt(Map::size).sum();
    }

    @Override
    public void close() {
      xds.close();
    }
  }

  static SelatConfig config() {
    StringBuilder yaml = new StringBuilder("sites:\n");
    for (int s = 0; s < SITES.size(); s++) {
      yaml.append("  - { id: ").append(SITES.get(s)).append(", region: r").append(s)
          .append(", consul: { addresses: [\"127.0.0.1:").append(8500 + s).append("\"] } }\n");
    }
    yaml.append("""
        links:
          - { name: leased-line, sites: [jakarta, alibaba-sg], nominalRtt: 12ms }
          - { name: vpn, sites: [alibaba-sg, aws-sg], nominalRtt: 3ms }
        """);
    return ConfigLoader.load(yaml.toString(), "route-engine-bench", Map.of());
  }

  static String serviceName(int i) {
    return String.format("svc-%05d", i);
  }

  /** Site {@code s}'s catalog: {@code PER_SITE[s]} instances of each service; the first of each in {@code critical} is. */
  static SiteCatalog catalog(String site, int s, int services, Set<String> critical, CatalogDelta delta) {
    Map<String, ServiceEntry> entries = new HashMap<>();
    for (int i = 0; i < services; i++) {
      String name = serviceName(i);
      List<ServiceInstance> instances = new ArrayList<>();
      for (int k = 0; k < PER_SITE[s]; k++) {
        HealthStatus status = k == 0 && critical.contains(name) ? HealthStatus.CRITICAL : HealthStatus.PASSING;
        instances.add(new ServiceInstance(name + "-" + site + "-" + k, "node-" + site + "-" + (i % 100),
            "10." + s + "." + (i / 250) + "." + (i % 250 + k), 8080, List.of(), Map.of(), Weights.DEFAULT, status));
      }
      entries.put(name, new ServiceEntry(name, instances));
    }
    return new SiteCatalog(site, "r" + s, 1, entries, delta, SiteFreshness.SYNCED);
  }
}
