package dev.selat.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.selat.controlplane.cli.Selatctl;
import dev.selat.controlplane.config.ConfigLoader;
import dev.selat.controlplane.server.ControlPlane;
import dev.selat.controlplane.server.PathTimings;
import dev.selat.testkit.ConsulSite;
import dev.selat.testkit.EnvoyProcess;
import dev.selat.testkit.Ports;
import dev.selat.testkit.ThreeSites;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole path (issue 17, item 1): a Consul write until every proxy has it. Three consul-emulator sites (each its own
 * process unless told otherwise) hold {@code services} services with {@code instances} instances each per site; a
 * control plane (in this JVM, its publish loop timed from inside by {@link PathTimings}) serves {@code clients}
 * simulated ADS clients ({@link Fleet}, spread over the three sites) and one real Envoy in {@code jakarta} whose admin
 * API is polled. Instances are registered in the catalog, 50 to a node. A change turns one instance of one service in
 * {@code jakarta} critical, or back (a catalog registration of its check alone),
 * and waits until every client has ACKed it and Envoy counts the host's new health. In the same change, two bare
 * blocking queries on the same emulator wake on the same write: on {@code /v1/health/service/:s} (the floor: what a
 * watcher of that one service would wait for) and on {@code /v1/health/state/any} (the query consul-bridge itself
 * blocks on, so its wake is the bridge's).
 */
final class E2ePath implements AutoCloseable {
  static final String SITE = ThreeSites.JAKARTA;
  private static final Pattern STAT = Pattern.compile(":\\s*(\\d+)");
  static final int INSTANCES_PER_NODE = 50;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one run measures. */
  /** {@code refill}: the control plane's Consul watch rate limit ({@code sites[].consul.rateLimit.refill}, burst 2). */
  record Options(int services, int instances, int clients, int changes, int warmups, boolean siteProcesses,
      Duration refill, Duration changeTimeout) {}

  /** One change's times from the write (nanoseconds; -1 when the part was not seen). */
  record Change(int k, String service, long write, long floor, long wake, long bridge, long toEngine, long debounce,
      long rebuild, long publish, long fanoutFirst, long fanoutLast, long clients, long envoy, int publishes,
      String failure) {
    long total() {
      return clients < 0 || envoy < 0 ? -1 : Math.max(clients, envoy);
    }
  }

  private final Options options;
  private final PrintStream progress;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final PathTimings timings = new PathTimings();
  private final Set<String> critical = new HashSet<>();
  private ThreeSites sites;
  private ControlPlane cp;
  private Fleet fleet;
  private EnvoyProcess envoy;
  private long stateIndex;

  E2ePath(Options options, PrintStream progress) {
    this.options = options;
    this.progress = progress;
  }

  static String serviceName(int i) {
    return String.format("svc-%05d", i);
  }

  static String instanceId(String service, String site, int k) {
    return service + "-" + site + "-" + k;
  }

  /** Starts the sites, registers the mesh, starts the control plane, the clients and Envoy, and waits until all hold it. */
  void start() throws Exception {
    long t = System.nanoTime();
    sites = ThreeSites.start(options.siteProcesses());
    register();
    progress.printf("registered %d services x %d instances in each of 3 sites in %s%n", options.services(),
        options.instances(), Report.seconds(System.nanoTime() - t));
    cp = timings.start(ConfigLoader.load(configYaml(), "e2e", Map.of()));
    await("the control plane ready", () -> cp.ready(), Duration.ofMinutes(3));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < options.services(); i++) {
      names.add(serviceName(i));
    }
    fleet = new Fleet(new Fleet.Subscription(ThreeSites.IDS, names, E2ePath::unhealthy), cp.xdsPort(),
        options.clients(), 1, false);
    fleet.connectAll();
    if (!fleet.awaitServed(Duration.ofMinutes(3))) {
      throw new IllegalStateException("only " + fleet.servedCount() + " of " + options.clients() + " clients served");
    }
    envoy = EnvoyProcess.start("e2e-jakarta", envoyBootstrap());
    int healthy = 3 * options.instances();
    await("Envoy holding every cluster", () -> envoyHealthyCount(healthy) == options.services(), Duration.ofMinutes(3));
    stateIndex = index(sites.site(SITE), "/v1/health/state/any");
    progress.printf("mesh up in %s: %d clients served, Envoy holds %d clusters%n",
        Report.seconds(System.nanoTime() - t), options.clients(), options.services());
  }

  /** Runs the warm-ups and the measured changes. */
  List<Change> run() throws Exception {
    List<Change> measured = new ArrayList<>();
    for (int k = 1; k <= options.warmups() + options.changes(); k++) {
      Change c = change(k);
      if (k > options.warmups()) {
        measured.add(c);
      }
      if (c.failure() != null) {
        progress.printf("change %d (%s): %s%n", k, c.service(), c.failure());
      }
    }
    return measured;
  }

  private Change change(int k) throws Exception {
    String service = serviceName((int) ((k * 7919L) % options.services()));
    String instance = instanceId(service, SITE, 0);
    boolean toCritical = critical.add(instance);
    if (!toCritical) {
      critical.remove(instance);
    }
    int unhealthy = toCritical ? 1 : 0;
    ConsulSite site = sites.site(SITE);
    AtomicLong floorAt = new AtomicLong(-1);
    AtomicLong wakeAt = new AtomicLong(-1);
    long floorIndex = index(site, "/v1/health/service/" + service);
    CompletableFuture<HttpResponse<byte[]>> floor = blocking(site, "/v1/health/service/" + service, floorIndex, floorAt);
    CompletableFuture<HttpResponse<byte[]>> wake = blocking(site, "/v1/health/state/any", stateIndex, wakeAt);
    // Both queries must be held by the emulator before the write, or they would answer at once.
    Thread.sleep(25);
    fleet.expect(k, service, unhealthy);
    timings.expect(SITE, service);
    long t0 = System.nanoTime();
    setCheck(site, SITE, service, 0, toCritical ? "critical" : "passing");
    long written = System.nanoTime();
    String failure = null;
    long envoySaw = -1;
    long deadline = t0 + options.changeTimeout().toNanos();
    int expectedHealthy = 3 * options.instances() - unhealthy;
    while (System.nanoTime() < deadline) {
      if (envoyHealthy(service) == expectedHealthy) {
        envoySaw = System.nanoTime();
        break;
      }
      Thread.sleep(2);
    }
    if (envoySaw < 0) {
      failure = "Envoy did not see it within " + options.changeTimeout();
    }
    boolean allClients = fleet.awaitReached(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    if (!allClients) {
      failure = (failure == null ? "" : failure + "; ") + fleet.reachedCount() + " of " + options.clients()
          + " clients had it";
    }
    try {
      stateIndex = Long.parseLong(wake.get(options.changeTimeout().toSeconds(), TimeUnit.SECONDS).headers()
          .firstValue("X-Consul-Index").orElseThrow());
      floor.get(options.changeTimeout().toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      failure = (failure == null ? "" : failure + "; ") + "a bare blocking query did not wake";
      stateIndex = index(site, "/v1/health/state/any");
    }
    PathTimings.Stamps s = timings.stamps();
    long lastReached = allClients ? fleet.lastReachedNanos() : -1;
    long firstReached = fleet.reachedCount() > 0 ? fleet.firstReachedNanos() : -1;
    return new Change(k, service, written - t0, since(t0, floorAt.get()), since(t0, wakeAt.get()),
        between(wakeAt.get(), s.catalog()), between(s.catalog(), s.observed()), between(s.observed(), s.firstRoute()),
        between(s.firstRoute(), s.lastRoute()), between(s.lastRoute(), s.lastPublished()),
        between(s.firstPublished(), firstReached), lastReached < 0 ? -1 : Math.max(0, lastReached - s.lastPublished()),
        since(t0, lastReached),
        since(t0, envoySaw), s.publishes(), failure);
  }

  private static long since(long t0, long t) {
    return t <= 0 ? -1 : t - t0;
  }

  private static long between(long a, long b) {
    return a <= 0 || b <= 0 ? -1 : b - a;
  }

  /** The number of UNHEALTHY endpoints in an assignment: the marker a change leaves (0 or 1: one instance at a time). */
  static int unhealthy(ClusterLoadAssignment cla) {
    return (int) cla.getEndpointsList().stream().flatMap(l -> l.getLbEndpointsList().stream())
        .filter(e -> e.getHealthStatus() == HealthStatus.UNHEALTHY).count();
  }

  /** selat_routes_propagation_seconds as the control plane's /metrics shows it: count, sum and max. */
  String propagationMetric() throws Exception {
    String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.adminPort() + "/metrics"))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
    StringBuilder out = new StringBuilder();
    for (String line : body.lines().toList()) {
      if (line.startsWith("selat_routes_propagation_seconds_count") || line.startsWith("selat_routes_propagation_seconds_sum")
          || line.startsWith("selat_routes_propagation_seconds_max")) {
        out.append(out.isEmpty() ? "" : ", ").append(line.replace("selat_routes_propagation_seconds_", ""));
      }
    }
    return out.toString();
  }

  /**
   * Registers every instance in the catalog on a node of its own site, {@link #INSTANCES_PER_NODE} to a node, as VMs
   * hold them (through one agent, one node would hold every check: the emulator scans a node's checks per instance).
   */
  private void register() throws Exception {
    Semaphore inFlight = new Semaphore(32);
    List<Future<?>> all = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int s = 0; s < ThreeSites.IDS.size(); s++) {
        String siteId = ThreeSites.IDS.get(s);
        for (int i = 0; i < options.services(); i++) {
          for (int k = 0; k < options.instances(); k++) {
            String name = serviceName(i);
            String id = instanceId(name, siteId, k);
            Map<String, Object> body = new LinkedHashMap<>(node(siteId, i * options.instances() + k));
            body.put("Service", Map.of("ID", id, "Service", name, "Address",
                "10." + s + "." + (i / 250) + "." + (i % 250 + k), "Port", 8080));
            body.put("Check", check(id, "passing"));
            inFlight.acquire();
            all.add(executor.submit(() -> {
              try {
                catalogRegister(sites.site(siteId), body);
                return null;
              } finally {
                inFlight.release();
              }
            }));
          }
        }
      }
    }
    for (Future<?> f : all) {
      f.get();
    }
  }

  /** The node holding instance number {@code n} of a site: its name and address. */
  private static Map<String, Object> node(String site, int n) {
    int node = n / INSTANCES_PER_NODE;
    return Map.of("Node", "vm-" + site + "-" + node, "Address", "10.200." + (node / 250) + "." + (node % 250));
  }

  private static Map<String, Object> check(String instanceId, String status) {
    return Map.of("CheckID", ConsulSite.serviceCheckId(instanceId), "Name", "health", "Status", status,
        "ServiceID", instanceId);
  }

  /** Sets an instance's check: a catalog registration of the check alone, its node and service left as they are. */
  private void setCheck(ConsulSite site, String siteId, String service, int instance, String status) throws Exception {
    int i = Integer.parseInt(service.substring("svc-".length()));
    Map<String, Object> body = new LinkedHashMap<>(node(siteId, i * options.instances() + instance));
    body.put("SkipNodeUpdate", true);
    body.put("Check", check(instanceId(service, siteId, instance), status));
    catalogRegister(site, body);
  }

  private void catalogRegister(ConsulSite site, Map<String, Object> body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(site.httpAddress().resolve("/v1/catalog/register"))
        .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200 || !"true".equals(r.body().trim())) {
      throw new IllegalStateException("PUT /v1/catalog/register answered " + r.statusCode() + ": " + r.body());
    }
  }

  private String configYaml() {
    StringBuilder yaml = new StringBuilder("sites:\n");
    for (String id : ThreeSites.IDS) {
      URI consul = sites.site(id).httpAddress();
      yaml.append("  - { id: ").append(id).append(", region: ").append(id.equals(SITE) ? "id-jkt" : "ap-southeast-1")
          .append(", consul: { addresses: [\"").append(consul.getHost()).append(':').append(consul.getPort())
          .append("\"], rateLimit: { burst: 2, refill: ").append(options.refill().toMillis()).append("ms } } }\n");
    }
    return yaml + """
        links:
          - { name: leased-line, sites: [jakarta, alibaba-sg], nominalRtt: 12ms }
          - { name: vpn, sites: [alibaba-sg, aws-sg], nominalRtt: 3ms }
        ports:
          xds: { address: 127.0.0.1, port: 0 }
          admin: { address: 127.0.0.1, port: 0 }
        """;
  }

  /** selatctl's bootstrap for a sidecar in jakarta calling every service, keeping only the stats the poll reads. */
  private String envoyBootstrap() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Selatctl.run(new PrintWriter(out), new PrintWriter(err), "bootstrap", "--site", SITE, "--region",
        "id-jkt", "--no-admin", "--xds-address", "127.0.0.1:" + cp.xdsPort(), "--outbound-port",
        String.valueOf(Ports.freeTcpPort()));
    if (code != 0) {
      throw new IllegalStateException("selatctl bootstrap exited " + code + ": " + err);
    }
    return out + """

        stats_config:
          stats_matcher:
            inclusion_list:
              patterns:
                - suffix: ".membership_healthy"
        """;
  }

  /** Envoy's count of healthy hosts in the service's cluster, or -1 when it has no such cluster yet. */
  private int envoyHealthy(String service) {
    String body = envoy.admin("/stats?filter=" + URLEncoder.encode("^cluster\\." + service.replace(".", "\\.")
        + "\\.membership_healthy$", StandardCharsets.UTF_8));
    Matcher m = STAT.matcher(body);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** How many of Envoy's clusters have {@code healthy} healthy hosts. */
  private int envoyHealthyCount(int healthy) {
    return (int) envoy.admin("/stats?filter=" + URLEncoder.encode("\\.membership_healthy$", StandardCharsets.UTF_8))
        .lines().filter(l -> l.endsWith(": " + healthy)).count();
  }

  private long index(ConsulSite site, String path) throws Exception {
    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(site.httpAddress().resolve(path)).build(),
        HttpResponse.BodyHandlers.discarding());
    return Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow(() ->
        new IllegalStateException(path + ": no X-Consul-Index")));
  }

  /** A bare blocking query at {@code index}; {@code answeredAt} gets the time its whole answer had arrived. */
  private CompletableFuture<HttpResponse<byte[]>> blocking(ConsulSite site, String path, long index, AtomicLong answeredAt) {
    URI uri = site.httpAddress().resolve(path + "?index=" + index + "&wait=60s");
    return http.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray())
        .whenComplete((r, e) -> answeredAt.set(System.nanoTime()));
  }

  private static void await(String what, BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what + " (" + timeout + ")");
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void close() {
    if (fleet != null) {
      fleet.close();
    }
    if (envoy != null) {
      envoy.close();
    }
    if (cp != null) {
      cp.close();
    }
    if (sites != null) {
      sites.close();
    }
  }
}
