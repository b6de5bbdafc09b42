package dev.selat.controlplane.server;

import dev.selat.probe.ProbeAgent;
import dev.selat.probe.ProbeAgentConfig;
import dev.selat.probe.Ticker;
import dev.selat.testkit.ThreeSites;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** What the control plane's ITs share: the three sites' config, probe agents, channels to a sidecar, and tear-down. */
final class ItMesh {
  /** The links between the three sites (DESIGN.md), quick routing, and xDS and admin on ephemeral loopback ports. */
  static final String LINKS_ROUTING_PORTS = """
      links:
        - { name: leased-line, sites: [jakarta, alibaba-sg], nominalRtt: 12ms }
        - { name: vpn, sites: [alibaba-sg, aws-sg], nominalRtt: 3ms }
      routing: { debounce: 50ms, maxDelay: 500ms }
      ports:
        xds: { address: 127.0.0.1, port: 0 }
        admin: { address: 127.0.0.1, port: 0 }
      """;
  private static final Map<String, String> REGIONS = Map.of(
      ThreeSites.JAKARTA, "id-jkt", ThreeSites.ALIBABA_SG, "ap-southeast-1", ThreeSites.AWS_SG, "ap-southeast-1");

  private ItMesh() {}

  /**
   * The {@code sites:} section for the three sites: id, region and Consul of each, then the lines {@code extra} gives
   * for it (YAML keys indented by four spaces, each line ending in a newline; "" for none).
   */
  static String sitesYaml(ThreeSites sites, Function<String, String> extra) {
    StringBuilder yaml = new StringBuilder("sites:\n");
    for (String id : ThreeSites.IDS) {
      URI consul = sites.site(id).httpAddress();
      yaml.append("  - id: ").append(id).append("\n    region: ").append(REGIONS.get(id))
          .append("\n    consul: { addresses: [\"").append(consul.getHost()).append(':').append(consul.getPort())
          .append("\"] }\n").append(extra.apply(id));
    }
    return yaml.toString();
  }

  /**
   * A probe agent in {@code site} registered in its site's Consul, probing every 250 ms the peers it is given only
   * as 127.0.0.1 ports ({@code peerPorts}: peer site -> port), on {@code probePort} (0: any).
   */
  static ProbeAgent probeAgent(String site, URI consul, int probePort, Map<String, Integer> peerPorts,
      Function<String, String> pathTo) throws IOException {
    ProbeAgentConfig.Draft draft = ProbeAgentConfig.Draft.onLoopback(site, 250L);
    draft.probePort = probePort;
    draft.consul.address = consul.toString();
    draft.consul.register = true;
    peerPorts.forEach((peer, port) -> draft.staticPeer(peer, "127.0.0.1", port, pathTo.apply(peer)));
    return ProbeAgent.start(draft.build(), Clock.systemUTC(), Ticker.system(),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /** A channel to a sidecar's outbound listener on {@code port}, calling {@code catalog}. */
  static ManagedChannel sidecarChannel(int port) {
    return Grpc.newChannelBuilder("127.0.0.1:" + port, InsecureChannelCredentials.create())
        .overrideAuthority("catalog").build();
  }

  /** Shuts down channels and closes the rest, in order; nulls (what a failed start never made) are skipped. */
  static void closeAll(Object... things) throws Exception {
    for (Object thing : things) {
      switch (thing) {
        case null -> { }
        case Collection<?> many -> closeAll(many.toArray());
        case Map<?, ?> byName -> closeAll(byName.values().toArray());
        case ManagedChannel channel -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        case AutoCloseable c -> c.close();
        default -> throw new IllegalArgumentException("cannot close " + Arrays.asList(thing));
      }
    }
  }
}
