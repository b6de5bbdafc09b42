package dev.selat.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.testkit.ConsulSite;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * 10,000 services in one site: all seen, with a bounded number of connections and platform threads. Prints the numbers
 * the README quotes (thread count, open connections to the site, time from start to SYNCED, time to see a churn burst).
 */
class ScaleIT {
  private static final int SERVICES = 10_000;
  private static final int NODES = 100;
  private static final int MAX_CONNECTIONS = 16;
  private static final Duration BOUND = Duration.ofMinutes(5);

  @Test
  void bridge_tenThousandServices_allSeenWithBoundedConnectionsAndThreads() throws Exception {
    try (ConsulSite site = ConsulSite.start(ConsulSite.Options.builder("jakarta").build())) {
      long registerStart = System.nanoTime();
      register(site.httpAddress(), i -> catalogEntry(i, "passing"), SERVICES);
      System.out.printf(Locale.ROOT, "scale: registered %d services on %d nodes in %d ms%n", SERVICES, NODES,
          (System.nanoTime() - registerStart) / 1_000_000);

      int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
      // The registering client's connections close asynchronously; ConsulSite's own client keeps one. Only the bridge's count.
      await().atMost(Duration.ofSeconds(30)).until(() -> establishedTo(site.httpAddress().getPort()) <= 1);
      int baseline = establishedTo(site.httpAddress().getPort());
      SiteConfig config = ItSites.config(site).maxConnections(MAX_CONNECTIONS).blockingWait(Duration.ofSeconds(60))
          .rateLimit(WatchRateLimit.DEFAULT).startBudget(Duration.ofMinutes(5)).build();
      CatalogRecorder recorder = new CatalogRecorder();
      int port = site.httpAddress().getPort();
      long start = System.nanoTime();
      int peakConnections = 0;
      int peakThreads = 0;
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (ConsulBridge bridge = ConsulBridge.start(List.of(config), registry, Clock.systemUTC())) {
        bridge.addListener(Runnable::run, recorder);
        while (bridge.freshness("jakarta").state() != SyncState.SYNCED) {
          peakConnections = Math.max(peakConnections, establishedTo(port) - baseline);
          peakThreads = Math.max(peakThreads, ManagementFactory.getThreadMXBean().getThreadCount());
          await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1)).until(() -> true);
          assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
        }
        long syncedMs = (System.nanoTime() - start) / 1_000_000;
        await().atMost(Duration.ofSeconds(30)).until(() -> recorder.has("jakarta")
            && recorder.latest("jakarta").services().size() >= SERVICES);
        SiteCatalog catalog = recorder.latest("jakarta");
        assertThat(catalog.services().keySet()).containsAll(IntStream.range(0, SERVICES).mapToObj(ScaleIT::name).toList());
        assertThat(catalog.instanceCount()).isGreaterThanOrEqualTo(SERVICES);

        // A churn burst: 500 services turn critical at once.
        long fetchesBefore = fetches(registry);
        long churnStart = System.nanoTime();
        register(site.httpAddress(), i -> catalogEntry(i * 20, "critical"), 500);
        await().atMost(BOUND).until(() -> IntStream.range(0, 500).allMatch(i -> recorder.latest("jakarta")
            .service(name(i * 20)).map(e -> e.instances().get(0).status() == HealthStatus.CRITICAL).orElse(false)));
        long churnMs = (System.nanoTime() - churnStart) / 1_000_000;
        long churnFetches = fetches(registry) - fetchesBefore;
        int steadyConnections = establishedTo(port) - baseline;
        int steadyThreads = ManagementFactory.getThreadMXBean().getThreadCount();

        // A change no list shows: a new check-less instance of an existing service, same tags. Costs one sweep.
        long sweepFetchesBefore = fetches(registry);
        long sweepStart = System.nanoTime();
        register(site.httpAddress(), i -> """
            {"Node":"node-extra","Address":"10.250.0.1","Service":{"ID":"svc-00007-extra","Service":"svc-00007",
             "Address":"10.250.0.7","Port":8080,"Tags":["mesh"]}}""", 1);
        await().atMost(BOUND).until(() -> recorder.latest("jakarta").service(name(7)).orElseThrow().instances().size() == 2);
        long sweepMs = (System.nanoTime() - sweepStart) / 1_000_000;
        long sweepFetches = fetches(registry) - sweepFetchesBefore;

        System.out.printf(Locale.ROOT, "scale: start->SYNCED %d ms; services %d, instances %d%n", syncedMs,
            catalog.services().size(), catalog.instanceCount());
        System.out.printf(Locale.ROOT, "scale: platform threads before bridge %d, peak while syncing %d, steady %d%n",
            threadsBefore, peakThreads, steadyThreads);
        System.out.printf(Locale.ROOT, "scale: connections to the site peak %d, steady %d (maxConnections %d)%n",
            peakConnections, steadyConnections, MAX_CONNECTIONS);
        System.out.printf(Locale.ROOT, "scale: 500 checks turned critical seen in %d ms (registration included), "
            + "%d service fetches, generation %d%n", churnMs, churnFetches, recorder.latest("jakarta").generation());
        System.out.printf(Locale.ROOT, "scale: a check-less instance added to an existing service seen in %d ms, "
            + "%d service fetches (a sweep)%n", sweepMs, sweepFetches);
        assertThat(peakConnections).isLessThanOrEqualTo(MAX_CONNECTIONS);
        assertThat(peakThreads - threadsBefore).as("platform threads added by the bridge").isLessThan(50);
      }
    }
  }

  private static long fetches(SimpleMeterRegistry registry) {
    return registry.get("selat.consul.query.latency").tag("endpoint", "service_health").timer().count();
  }

  private static String name(int i) {
    return String.format(Locale.ROOT, "svc-%05d", i);
  }

  private static String catalogEntry(int i, String status) {
    String node = "node-" + (i % NODES);
    return """
        {"Node":"%s","Address":"10.%d.%d.1","SkipNodeUpdate":true,
         "Service":{"ID":"%s-1","Service":"%s","Address":"10.200.%d.%d","Port":8080,"Tags":["mesh"]},
         "Check":{"CheckID":"service:%s-1","Name":"alive","Status":"%s","ServiceID":"%s-1"}}"""
        .formatted(node, (i % NODES) / 250, (i % NODES) % 250, name(i), name(i), i / 250, i % 250, name(i), status, name(i));
  }

  /** PUT /v1/catalog/register for entries 0..count-1, 32 at a time. */
  private static void register(URI consul, java.util.function.IntFunction<String> body, int count) throws Exception {
    Semaphore permits = new Semaphore(32);
    java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
    // Closing the client closes its connections, so that they do not count as the bridge's.
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        String json = body.apply(i);
        permits.acquire();
        pool.execute(() -> {
          try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(consul.resolve("/v1/catalog/register"))
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
              failures.add(new IllegalStateException("register: HTTP " + r.statusCode() + " " + r.body()));
            }
          } catch (IOException | InterruptedException e) {
            failures.add(e);
          } finally {
            permits.release();
          }
        });
      }
    }
    assertThat(failures).isEmpty();
  }

  /**
   * Established TCP connections of this JVM whose remote end is the site's port: the bridge's connections (Linux /proc;
   * the machine is shared, so sockets are matched to this process by inode).
   */
  private static int establishedTo(int port) throws IOException {
    java.util.Set<String> ours = new java.util.HashSet<>();
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      fds.forEach(fd -> {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            ours.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException e) {
          // The descriptor closed while listing: not a connection to count.
        }
      });
    }
    String hexPort = String.format(Locale.ROOT, ":%04X", port);
    int n = 0;
    for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(file);
      if (!Files.exists(p)) {
        continue;
      }
      for (String line : Files.readAllLines(p)) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 9 && f[2].endsWith(hexPort) && f[3].equals("01") && ours.contains(f[9])) {
          n++;
        }
      }
    }
    return n;
  }
}
