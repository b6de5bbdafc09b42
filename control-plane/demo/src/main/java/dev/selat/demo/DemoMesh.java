package dev.selat.demo;

import static java.util.Objects.requireNonNull;

import dev.selat.controlplane.cli.Selatctl;
import dev.selat.controlplane.config.ConfigLoader;
import dev.selat.controlplane.config.LinkSpec;
import dev.selat.controlplane.config.SelatConfig;
import dev.selat.controlplane.config.SiteGraph;
import dev.selat.controlplane.server.ControlPlane;
import dev.selat.probe.ProbeAgent;
import dev.selat.probe.ProbeAgentConfig;
import dev.selat.probe.Ticker;
import dev.selat.testkit.ConsulSite;
import dev.selat.testkit.EnvoyProcess;
import dev.selat.testkit.NamedBackend;
import dev.selat.testkit.Ports;
import dev.selat.testkit.ToxiproxyServer;
import dev.selat.testkit.UdpDelayRelay;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The whole demo mesh on one machine, and the tour's steps. Per site: a Consul (consul-emulator), the backends of the
 * services it runs, a probe agent, a gateway Envoy and a sidecar Envoy, and traffic calling every service through the
 * sidecar. One control plane, in {@link DemoTopology#controlPlaneSite()}, configures every Envoy. Each site reaches
 * another only through {@link WanLinks}: calls to the other site's gateway, probes to the agent behind that gateway,
 * and the xDS and Consul connections that cross sites.
 */
final class DemoMesh implements AutoCloseable {
  /** A step of the tour: its key in the view, its name for {@code selat demo --step NAME}, what it does. */
  record Step(char key, String name, String label) {}

  static final List<Step> STEPS = List.of(
      new Step('l', "degrade-leased-line", "leased line +30 ms"),
      new Step('f', "fail-catalog", "fail jakarta's catalog"),
      new Step('j', "jitter-vpn", "jitter the VPN +-2 ms"),
      new Step('k', "kill-consul", "kill aws-sg's Consul"),
      new Step('r', "restore", "restore everything"));
  static final int LEASED_LINE_EXTRA_MS = 30;
  static final int VPN_JITTER_MS = 2;
  private static final String KILLED_CONSUL_SITE = DemoTopology.AWS_SG;
  /** 20 calls a second per site and service: enough for a share and a p50 over {@link DemoScreen#WINDOW}. */
  private static final Duration TRAFFIC_INTERVAL = Duration.ofMillis(50);
  private static final ConsulSite.Check PASSING = new ConsulSite.Check(Duration.ofDays(1), ConsulSite.Health.PASSING);

  private final DemoTopology topology;
  private final Consumer<String> progress;
  /** Everything started, in order; closed in reverse. */
  private final List<AutoCloseable> started = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, ConsulSite> consuls = new ConcurrentHashMap<>();
  private final Map<String, Integer> backendPorts = new ConcurrentHashMap<>();
  private final List<Traffic> traffic = new ArrayList<>();
  private WanLinks links;
  private SelatConfig config;
  private ControlPlane controlPlane;
  private MeshWatch watch;
  private volatile boolean consulKilled;

  private DemoMesh(DemoTopology topology, Consumer<String> progress) {
    this.topology = requireNonNull(topology, "topology");
    this.progress = requireNonNull(progress, "progress");
  }

  /**
   * Starts the mesh and waits until every site's traffic is answered; {@code progress} hears what is being started.
   * The control plane's config is written to {@code dir}/selat.yaml.
   */
  static DemoMesh start(DemoTopology topology, Path dir, Consumer<String> progress) throws Exception {
    DemoMesh mesh = new DemoMesh(topology, progress);
    try {
      mesh.startAll(dir);
      return mesh;
    } catch (Exception | Error e) {
      mesh.close();
      throw e;
    }
  }

  private void startAll(Path dir) throws Exception {
    List<String> siteIds = topology.siteIds();
    SiteGraph graph = SiteGraph.of(siteIds, topology.links().stream()
        .map(l -> new LinkSpec(l.name(), l.siteA(), l.siteB(), Duration.ofMillis(l.rttMs()))).toList());

    timed(siteIds.size() + " Consul sites (consul-emulator) and Toxiproxy", () -> {
      parallel(siteIds, id -> consuls.put(id, keep(ConsulSite.start(ConsulSite.Options.builder(id).build()))));
      links = keep(new WanLinks(ToxiproxyServer.start(), UdpDelayRelay.start(System.nanoTime()), topology.links(),
          (a, b) -> graph.path(a, b).links()));
    });

    timed("backends of " + String.join(", ", DemoTopology.SERVICES) + ", registered in their sites' Consul", () -> {
      for (String service : DemoTopology.SERVICES) {
        for (String site : siteIds) {
          for (int i = 0; i < topology.instances(service, site); i++) {
            NamedBackend backend = keep(new NamedBackend(site + "-" + i));
            backendPorts.put(instanceId(service, site, i), backend.port());
          }
        }
      }
      siteIds.forEach(this::registerServices);
    });

    Map<String, Integer> gatewayPort = new LinkedHashMap<>();
    Map<String, Integer> gatewayProbePort = new LinkedHashMap<>();
    Map<String, Integer> sidecarPort = new LinkedHashMap<>();
    for (String site : siteIds) {
      gatewayPort.put(site, Ports.freeTcpPort());
      gatewayProbePort.put(site, Ports.freeTcpAndUdpPort());
      sidecarPort.put(site, Ports.freeTcpPort());
    }
    int xdsPort = Ports.freeTcpPort();
    String cpSite = topology.controlPlaneSite();

    timed("links (leased line, VPN) as Toxiproxy paths, and a probe agent per site", () -> {
      for (String site : siteIds) {
        Map<String, Integer> peers = new LinkedHashMap<>();
        for (String peer : siteIds) {
          if (!peer.equals(site)) {
            peers.put(peer, links.probe(site + "-probes-" + peer, site, peer,
                new InetSocketAddress("127.0.0.1", gatewayProbePort.get(peer))));
          }
        }
        keep(probeAgent(site, peers));
      }
    });

    timed("the control plane in " + cpSite, () -> {
      StringBuilder yaml = new StringBuilder("sites:\n");
      for (DemoTopology.Site site : topology.sites()) {
        int consulPort = consuls.get(site.id()).httpAddress().getPort();
        int reached = site.id().equals(cpSite) ? consulPort
            : links.tcp(cpSite + "-consul-" + site.id(), cpSite, site.id(), new InetSocketAddress("127.0.0.1", consulPort));
        yaml.append("  - id: ").append(site.id()).append("\n    region: ").append(site.region())
            .append("\n    consul: { addresses: [\"127.0.0.1:").append(reached).append("\"] }")
            .append("\n    staleness: { budget: 15s, mode: freeze }\n    startBudget: 10s\n    gateway:\n      from:\n");
        for (String client : siteIds) {
          if (!client.equals(site.id())) {
            int port = links.tcp(client + "-to-" + site.id() + "-gateway", client, site.id(),
                new InetSocketAddress("127.0.0.1", gatewayPort.get(site.id())));
            yaml.append("        - { site: ").append(client).append(", address: \"127.0.0.1:").append(port).append("\" }\n");
          }
        }
      }
      yaml.append("links:\n");
      topology.links().forEach(l -> yaml.append("  - { name: ").append(l.name()).append(", sites: [").append(l.siteA())
          .append(", ").append(l.siteB()).append("], nominalRtt: ").append(l.rttMs()).append("ms }\n"));
      yaml.append("""
          # Sites within 15 ms of each other share a priority, weighted inverse to RTT (alibaba-sg's catalog: aws-sg and
          # jakarta, 9 ms apart; the leased line +30 ms leaves aws-sg alone); an RTT change reroutes once it is 5 ms off
          # for 1 s, a smaller one past 2.5 ms once it lasts 10 s.
          routing:
            tolerance: 15ms
            hysteresis: { threshold: 5ms, dwell: 1s, settle: 10s }
            debounce: 50ms
            maxDelay: 500ms
          latency: { staleAfter: 5s, staleBudget: 30s }
          ports:
            xds: { address: 127.0.0.1, port: %d }
            admin: { address: 127.0.0.1, port: 0 }
          """.formatted(xdsPort));
      Path file = dir.resolve("selat.yaml");
      Files.writeString(file, yaml);
      config = ConfigLoader.load(file, Map.of());
      controlPlane = keep(ControlPlane.start(config));
      watch = keep(new MeshWatch(controlPlane.adminPort(), DemoTopology.SERVICES));
    });

    timed("a gateway Envoy and a sidecar Envoy per site", () -> {
      Map<String, String> xdsOf = new LinkedHashMap<>();
      for (String site : siteIds) {
        xdsOf.put(site, "127.0.0.1:" + (site.equals(cpSite) ? xdsPort
            : links.tcp(site + "-xds-" + cpSite, site, cpSite, new InetSocketAddress("127.0.0.1", xdsPort))));
      }
      List<Callable<EnvoyProcess>> envoys = new ArrayList<>();
      for (DemoTopology.Site site : topology.sites()) {
        String id = site.id();
        envoys.add(() -> EnvoyProcess.start(id + "-gateway", bootstrap("bootstrap", "--site", id, "--region", site.region(),
            "--role", "gateway", "--no-admin", "--xds-address", xdsOf.get(id),
            "--outbound-port", String.valueOf(gatewayPort.get(id)), "--probe-port", String.valueOf(gatewayProbePort.get(id)))));
        envoys.add(() -> EnvoyProcess.start(id + "-sidecar", bootstrap("bootstrap", "--site", id, "--region", site.region(),
            "--service", "app", "--upstreams", String.join(",", DemoTopology.SERVICES), "--no-admin",
            "--xds-address", xdsOf.get(id), "--outbound-port", String.valueOf(sidecarPort.get(id)))));
      }
      try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
        for (Future<EnvoyProcess> envoy : executor.invokeAll(envoys)) {
          keep(envoy.get());
        }
      }
    });

    timed("traffic: every site calls every service through its sidecar, answered everywhere", () -> {
      for (String site : siteIds) {
        for (String service : DemoTopology.SERVICES) {
          traffic.add(keep(new Traffic(site, service, sidecarPort.get(site), TRAFFIC_INTERVAL)));
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (!traffic.stream().allMatch(t -> t.stats(Duration.ofMillis(500)).failed() == 0
          && t.stats(Duration.ofMillis(500)).calls() > 0)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("traffic not answered after 90 s: " + traffic.stream()
              .filter(t -> t.stats(Duration.ofSeconds(1)).failed() > 0).map(t -> t.site() + ">" + t.service()).toList());
        }
        Thread.sleep(100);
      }
      traffic.forEach(Traffic::clear);
    });
  }

  DemoTopology topology() {
    return topology;
  }

  MeshWatch watch() {
    return watch;
  }

  WanLinks links() {
    return links;
  }

  List<Traffic> traffic() {
    return List.copyOf(traffic);
  }

  int adminPort() {
    return controlPlane.adminPort();
  }

  boolean consulKilled() {
    return consulKilled;
  }

  /** Runs the step named {@code name}; false when there is none of that name. */
  synchronized boolean step(String name) {
    switch (name) {
      case "degrade-leased-line" -> {
        int rtt = topology.link(DemoTopology.LEASED_LINE).rttMs() + LEASED_LINE_EXTRA_MS;
        links.set(DemoTopology.LEASED_LINE, rtt, 0);
        watch.event("step", "leased line " + topology.link(DemoTopology.LEASED_LINE).rttMs() + " -> " + rtt + " ms");
      }
      case "fail-catalog" -> {
        setHealth("catalog", DemoTopology.JAKARTA, ConsulSite.Health.CRITICAL);
        watch.event("step", "jakarta's catalog instances critical");
      }
      case "jitter-vpn" -> {
        DemoTopology.Link vpn = topology.link(DemoTopology.VPN);
        links.set(DemoTopology.VPN, vpn.rttMs(), VPN_JITTER_MS);
        watch.event("step", "VPN " + vpn.rttMs() + " ms +-" + VPN_JITTER_MS + " ms jitter (routes should hold)");
      }
      case "kill-consul" -> {
        if (!consulKilled) {
          consuls.get(KILLED_CONSUL_SITE).close();
          consulKilled = true;
          watch.event("step", KILLED_CONSUL_SITE + "'s Consul killed (its Envoys keep their config)");
        }
      }
      case "restore" -> {
        links.restore();
        for (String site : topology.siteIds()) {
          for (String service : DemoTopology.SERVICES) {
            setHealth(service, site, ConsulSite.Health.PASSING);
          }
        }
        if (consulKilled) {
          consuls.get(KILLED_CONSUL_SITE).restart();
          registerServices(KILLED_CONSUL_SITE); // what its agents' service definitions do when Consul comes back
          consulKilled = false;
        }
        watch.event("step", "links nominal, every instance passing, every Consul up");
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  private void registerServices(String site) {
    for (String service : DemoTopology.SERVICES) {
      for (int i = 0; i < topology.instances(service, site); i++) {
        String id = instanceId(service, site, i);
        consuls.get(site).registerService(service, id, "127.0.0.1", backendPorts.get(id), List.of(),
            Map.of("protocol", "grpc"), PASSING);
      }
    }
  }

  private void setHealth(String service, String site, ConsulSite.Health health) {
    if (site.equals(KILLED_CONSUL_SITE) && consulKilled) {
      return;
    }
    for (int i = 0; i < topology.instances(service, site); i++) {
      consuls.get(site).setCheck(ConsulSite.serviceCheckId(instanceId(service, site, i)), health);
    }
  }

  private static String instanceId(String service, String site, int i) {
    return service + "-" + site + "-" + i;
  }

  /**
   * The site's probe agent, registered in its Consul (where its gateway finds it); the other sites' agents are reached
   * only at their probe paths' ports, through their gateways.
   */
  private ProbeAgent probeAgent(String site, Map<String, Integer> peerPorts) throws IOException {
    ProbeAgentConfig.Draft draft = ProbeAgentConfig.Draft.onLoopback(site, 100L);
    draft.consul.address = consuls.get(site).httpAddress().toString();
    draft.consul.register = true;
    peerPorts.forEach((peer, port) -> draft.staticPeer(peer, "127.0.0.1", port, "via-gateway"));
    return ProbeAgent.start(draft.build(), Clock.systemUTC(), Ticker.system(),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  private static String bootstrap(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Selatctl.run(new PrintWriter(out), new PrintWriter(err), args);
    if (code != 0) {
      throw new IllegalStateException("selatctl " + String.join(" ", args) + " exited " + code + ": " + err);
    }
    return out.toString();
  }

  private <T extends AutoCloseable> T keep(T thing) {
    started.add(thing);
    return thing;
  }

  private interface Work {
    void run() throws Exception;
  }

  private void timed(String what, Work work) throws Exception {
    long start = System.nanoTime();
    progress.accept("starting " + what + " ...");
    work.run();
    progress.accept(String.format("  done in %.1f s", (System.nanoTime() - start) / 1e9));
  }

  private static void parallel(List<String> sites, Consumer<String> start) throws Exception {
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> all = sites.stream().map(s -> executor.submit(() -> start.accept(s))).collect(Collectors.toList());
      for (Future<?> f : all) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw e.getCause() instanceof Exception cause ? cause : e;
        }
      }
    }
  }

  /** Stops everything it started, last first; a failure to stop one thing does not keep the others running. */
  @Override
  public void close() {
    List<AutoCloseable> all;
    synchronized (started) {
      all = new ArrayList<>(started);
      started.clear();
    }
    Collections.reverse(all);
    for (AutoCloseable thing : all) {
      try {
        thing.close();
      } catch (Exception e) {
        progress.accept("could not stop " + thing + ": " + e);
      }
    }
  }
}
