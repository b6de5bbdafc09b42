package dev.selat.probe;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code selat-probe}: runs the probe agent until SIGTERM. Flags override the YAML config file. */
@Command(name = "selat-probe", mixinStandardHelpOptions = true,
    description = "Selat probe agent: measures RTT, jitter and loss to the probe agents of other sites.")
public final class ProbeAgentMain implements Callable<Integer> {
  @Option(names = "--config", description = "YAML config file (keys as in ProbeAgentConfig.Draft)")
  Path configFile;

  @Option(names = "--site", description = "this agent's site id, e.g. jakarta")
  String site;

  @Option(names = "--agent-id", description = "default: <site>-<hostname>")
  String agentId;

  @Option(names = "--bind", description = "address to bind (default 127.0.0.1)")
  String bind;

  @Option(names = "--advertise", description = "address registered in Consul (default: --bind)")
  String advertise;

  @Option(names = "--probe-port", description = "UDP echo and TCP probe port (default 18300)")
  Integer probePort;

  @Option(names = "--grpc-port", description = "LatencyService port (default 18301)")
  Integer grpcPort;

  @Option(names = "--metrics-port", description = "HTTP /metrics port (default 18302)")
  Integer metricsPort;

  @Option(names = "--interval-ms", description = "probe interval per peer (default 500, jittered +-10%%)")
  Long intervalMillis;

  @Option(names = "--peer", description = "static peer site=host:port (repeatable)")
  List<String> peers = new ArrayList<>();

  @Option(names = "--path", description = "link path to a peer site, site=leased-line|vpn|leased-line+vpn (repeatable)")
  Map<String, String> paths = new LinkedHashMap<>();

  @Option(names = "--consul", description = "this site's Consul HTTP address, e.g. http://127.0.0.1:8500")
  String consul;

  @Option(names = "--register", description = "register as service selat-probe in --consul")
  boolean register;

  @Option(names = "--discover", description = "a site's Consul in which to find selat-probe peers (repeatable)")
  List<String> discover = new ArrayList<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new ProbeAgentMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    ProbeAgentConfig config;
    try {
      config = draft().build();
    } catch (IllegalArgumentException e) {
      System.err.println("selat-probe: " + e.getMessage());
      return 2;
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ProbeAgent agent;
    try {
      agent = ProbeAgent.start(config, Clock.systemUTC(), Ticker.system(), registry);
    } catch (IllegalArgumentException e) { // e.g. an unreadable token file, named with its field
      System.err.println("selat-probe: " + e.getMessage());
      return 2;
    }
    // Runs until SIGTERM/SIGINT; the hook deregisters from Consul and stops the agent before the JVM exits.
    Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "selat-probe-shutdown"));
    new CountDownLatch(1).await();
    return 0;
  }

  ProbeAgentConfig.Draft draft() {
    ProbeAgentConfig.Draft d = configFile != null ? ProbeAgentConfig.Draft.fromYaml(configFile)
        : new ProbeAgentConfig.Draft();
    d.site = site != null ? site : d.site;
    d.agentId = agentId != null ? agentId : d.agentId;
    d.bindAddress = bind != null ? bind : d.bindAddress;
    d.advertiseAddress = advertise != null ? advertise : d.advertiseAddress;
    d.probePort = probePort != null ? probePort : d.probePort;
    d.grpcPort = grpcPort != null ? grpcPort : d.grpcPort;
    d.metricsPort = metricsPort != null ? metricsPort : d.metricsPort;
    d.intervalMillis = intervalMillis != null ? intervalMillis : d.intervalMillis;
    for (String peer : peers) {
      d.peers.add(parsePeer(peer));
    }
    d.paths.putAll(paths);
    d.consul.address = consul != null ? consul : d.consul.address;
    d.consul.register = register || Boolean.TRUE.equals(d.consul.register);
    d.consul.discover.addAll(discover);
    return d;
  }

  private static ProbeAgentConfig.Draft.StaticPeerDraft parsePeer(String spec) {
    int eq = spec.indexOf('=');
    int colon = spec.lastIndexOf(':');
    if (eq <= 0 || colon <= eq + 1 || colon == spec.length() - 1) {
      throw new IllegalArgumentException("--peer: expected site=host:port, got '" + spec + "'");
    }
    ProbeAgentConfig.Draft.StaticPeerDraft peer = new ProbeAgentConfig.Draft.StaticPeerDraft();
    peer.site = spec.substring(0, eq);
    peer.address = spec.substring(eq + 1, colon);
    try {
      peer.port = Integer.parseInt(spec.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--peer: port is not a number in '" + spec + "'", e);
    }
    return peer;
  }
}
