package dev.selat.demo;

import static java.util.Objects.requireNonNull;

import dev.selat.testkit.ToxiproxyServer;
import dev.selat.testkit.UdpDelayRelay;
import dev.selat.testkit.WanPath;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * The links between the sites, as the bytes feel them. Every cross-site connection of the demo (calls to another
 * site's gateway, probes, the remote Envoys' xDS streams, the control plane's Consul queries) goes through a path of
 * its own, a Toxiproxy proxy (TCP) and for probes a UDP delay relay on the same port, whose delay is the sum of the
 * links it crosses: jakarta to aws-sg crosses the leased line and the VPN, so slowing the leased line slows it too.
 */
final class WanLinks implements AutoCloseable {
  /** A link's round trip now and its jitter (uniform, +-). */
  record LinkState(int rttMs, int jitterMs) {}

  private sealed interface Path permits TcpPath, ProbePath {
    String from();

    String to();
  }

  private record TcpPath(String from, String to, Proxy proxy) implements Path {}

  private record ProbePath(String from, String to, WanPath path) implements Path {}

  private final ToxiproxyServer toxiproxy;
  private final UdpDelayRelay relay;
  private final BiFunction<String, String, List<String>> linksBetween;
  private final Map<String, LinkState> links = new TreeMap<>();
  private final Map<String, Integer> nominal = new TreeMap<>();
  private final List<Path> paths = new ArrayList<>();

  /**
   * @param linksBetween the names of the links the path between two sites crosses (the control plane's own graph, so the
   *     demo's delays follow the paths Selat routes by)
   */
  WanLinks(ToxiproxyServer toxiproxy, UdpDelayRelay relay, List<DemoTopology.Link> links,
      BiFunction<String, String, List<String>> linksBetween) {
    this.toxiproxy = requireNonNull(toxiproxy, "toxiproxy");
    this.relay = requireNonNull(relay, "relay");
    this.linksBetween = requireNonNull(linksBetween, "linksBetween");
    links.forEach(l -> {
      this.links.put(l.name(), new LinkState(l.rttMs(), 0));
      this.nominal.put(l.name(), l.rttMs());
    });
  }

  /** A TCP path from {@code from} to {@code upstream} in {@code to}: the 127.0.0.1 port {@code from} connects to. */
  synchronized int tcp(String name, String from, String to, InetSocketAddress upstream) {
    Proxy proxy = toxiproxy.proxy(name, upstream.getHostString() + ":" + upstream.getPort());
    TcpPath path = new TcpPath(from, to, proxy);
    paths.add(path);
    apply(path);
    return ToxiproxyServer.listenPort(proxy);
  }

  /** A probe path (TCP and UDP on one port) from {@code from} to {@code upstream} in {@code to}: its port. */
  synchronized int probe(String name, String from, String to, InetSocketAddress upstream) {
    ProbePath path = new ProbePath(from, to, WanPath.open(toxiproxy, relay, name, upstream));
    paths.add(path);
    apply(path);
    return path.path().port();
  }

  /** Sets a link's round trip and jitter; every path crossing it follows at once. */
  synchronized void set(String link, int rttMs, int jitterMs) {
    if (!links.containsKey(link)) {
      throw new IllegalArgumentException("no link " + link + " (links: " + links.keySet() + ")");
    }
    links.put(link, new LinkState(rttMs, jitterMs));
    paths.stream().filter(p -> crossed(p).contains(link)).forEach(this::apply);
  }

  /** Every link back to its nominal round trip, without jitter. */
  synchronized void restore() {
    nominal.forEach((link, rtt) -> links.put(link, new LinkState(rtt, 0)));
    paths.forEach(this::apply);
  }

  synchronized Map<String, LinkState> links() {
    return Map.copyOf(links);
  }

  synchronized int nominalRttMs(String link) {
    return nominal.get(link);
  }

  /** The round trip and jitter the path between two sites has now: the sums over the links it crosses. */
  synchronized LinkState between(String from, String to) {
    int rtt = 0;
    int jitter = 0;
    for (String link : linksBetween.apply(from, to)) {
      rtt += links.get(link).rttMs();
      jitter += links.get(link).jitterMs();
    }
    return new LinkState(rtt, jitter);
  }

  private List<String> crossed(Path path) {
    return linksBetween.apply(path.from(), path.to());
  }

  private void apply(Path path) {
    LinkState now = between(path.from(), path.to());
    switch (path) {
      case TcpPath tcp -> toxiproxy.setLatency(tcp.proxy(), ToxicDirection.DOWNSTREAM, now.rttMs(), now.jitterMs());
      case ProbePath probe -> probe.path().set(Duration.ofMillis(now.rttMs()), Duration.ofMillis(now.jitterMs()));
    }
  }

  @Override
  public void close() throws IOException {
    try {
      relay.close();
    } finally {
      toxiproxy.close();
    }
  }
}
