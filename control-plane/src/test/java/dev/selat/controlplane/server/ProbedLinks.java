package dev.selat.controlplane.server;

import dev.selat.probe.ProbeAgent;
import dev.selat.testkit.Ports;
import dev.selat.testkit.ThreeSites;
import dev.selat.testkit.ToxiproxyServer;
import dev.selat.testkit.UdpDelayRelay;
import dev.selat.testkit.WanPath;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A probe agent per site of {@link ThreeSites}, registered in its site's Consul, measuring the others only through WAN
 * paths on loopback (Toxiproxy for TCP and a UDP delay relay on the same port). Each path's delay is the sum of the
 * links it crosses (DESIGN.md): the leased line jakarta-alibaba-sg, the VPN alibaba-sg-aws-sg, jakarta-aws-sg over
 * both; they start at 12 ms and 3 ms.
 */
final class ProbedLinks implements AutoCloseable {
  static final String LEASED_LINE = "leased-line";
  static final String VPN = "vpn";
  /** The links each site pair's traffic crosses. */
  static final Map<List<String>, List<String>> PATHS = Map.of(
      List.of(ThreeSites.JAKARTA, ThreeSites.ALIBABA_SG), List.of(LEASED_LINE),
      List.of(ThreeSites.ALIBABA_SG, ThreeSites.AWS_SG), List.of(VPN),
      List.of(ThreeSites.JAKARTA, ThreeSites.AWS_SG), List.of(LEASED_LINE, VPN));

  private record Delay(Duration rtt, Duration jitter) {}

  private final ToxiproxyServer toxiproxy;
  private final UdpDelayRelay relay;
  /** [from, to] -> the path the from-site's agent probes the to-site's agent over. */
  private final Map<List<String>, WanPath> wan = new LinkedHashMap<>();
  private final Map<String, Delay> links = new TreeMap<>();
  private final List<ProbeAgent> agents = new ArrayList<>();

  private ProbedLinks(ToxiproxyServer toxiproxy, UdpDelayRelay relay) {
    this.toxiproxy = toxiproxy;
    this.relay = relay;
  }

  /**
   * Probe ports are chosen first, so that the WAN paths towards them exist before any agent starts; each agent knows
   * its peers only as those paths' ports.
   */
  static ProbedLinks start(ThreeSites sites) throws Exception {
    ProbedLinks probed = new ProbedLinks(ToxiproxyServer.start(), UdpDelayRelay.start(20261203L));
    try {
      Map<String, Integer> probePorts = new TreeMap<>();
      ThreeSites.IDS.forEach(site -> probePorts.put(site, Ports.freeTcpAndUdpPort()));
      for (String from : ThreeSites.IDS) {
        for (String to : ThreeSites.IDS) {
          if (!from.equals(to)) {
            probed.wan.put(List.of(from, to), WanPath.open(probed.toxiproxy, probed.relay, from + "-to-" + to,
                new InetSocketAddress("127.0.0.1", probePorts.get(to))));
          }
        }
      }
      probed.set(LEASED_LINE, Duration.ofMillis(12), Duration.ZERO);
      probed.set(VPN, Duration.ofMillis(3), Duration.ZERO);
      for (String site : ThreeSites.IDS) {
        Map<String, Integer> peers = new TreeMap<>();
        ThreeSites.IDS.stream().filter(peer -> !peer.equals(site))
            .forEach(peer -> peers.put(peer, probed.wan.get(List.of(site, peer)).port()));
        probed.agents.add(ItMesh.probeAgent(site, sites.site(site).httpAddress(), probePorts.get(site), peers,
            peer -> String.join("+", linksOf(site, peer))));
      }
      return probed;
    } catch (Exception | Error e) {
      probed.close();
      throw e;
    }
  }

  /** Sets one link's round trip and jitter; every site pair whose path crosses it gets the sum of its links. */
  void set(String link, Duration rtt, Duration jitter) {
    links.put(link, new Delay(rtt, jitter));
    wan.forEach((pair, path) -> {
      Duration sum = Duration.ZERO;
      Duration jitters = Duration.ZERO;
      for (String l : linksOf(pair.get(0), pair.get(1))) {
        Delay d = links.getOrDefault(l, new Delay(Duration.ZERO, Duration.ZERO));
        sum = sum.plus(d.rtt());
        jitters = jitters.plus(d.jitter());
      }
      path.set(sum, jitters);
    });
  }

  /** The round trip the links on the path between {@code a} and {@code b} add, in ms. */
  double pathMillis(String a, String b) {
    return linksOf(a, b).stream().mapToDouble(l -> links.get(l).rtt().toMillis()).sum();
  }

  static List<String> linksOf(String a, String b) {
    List<String> path = PATHS.get(List.of(a, b));
    return path != null ? path : PATHS.get(List.of(b, a));
  }

  @Override
  public void close() throws Exception {
    ItMesh.closeAll(agents, relay, toxiproxy);
  }
}
