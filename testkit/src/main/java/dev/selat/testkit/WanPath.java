package dev.selat.testkit;

import static java.util.Objects.requireNonNull;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One direction of a WAN path on loopback, for a peer reached by one port number over both UDP and TCP (a probe
 * agent): a Toxiproxy proxy for TCP and a {@link UdpDelayRelay} path for UDP on the same 127.0.0.1 port, each holding
 * the same delay. Clients connect to {@link #port()}; the round trip of a request and its answer gets the path's RTT
 * (+- its jitter) on top of loopback's, whichever protocol carries it.
 */
public final class WanPath {
  private static final int BIND_ATTEMPTS = 5;

  private final ToxiproxyServer toxiproxy;
  private final Proxy proxy;
  private final UdpDelayRelay.Path udp;

  private WanPath(ToxiproxyServer toxiproxy, Proxy proxy, UdpDelayRelay.Path udp) {
    this.toxiproxy = toxiproxy;
    this.proxy = proxy;
    this.udp = udp;
  }

  /**
   * Opens a path named {@code name} towards {@code upstream} (TCP and UDP on the same port), with no delay yet. Toxiproxy
   * picks the port; if its UDP twin is taken, the proxy is dropped and another port is tried.
   */
  public static WanPath open(ToxiproxyServer toxiproxy, UdpDelayRelay relay, String name, InetSocketAddress upstream) {
    requireNonNull(toxiproxy, "toxiproxy");
    requireNonNull(relay, "relay");
    String target = upstream.getHostString() + ":" + upstream.getPort();
    for (int attempt = 1; ; attempt++) {
      Proxy proxy = toxiproxy.proxy(name, target);
      try {
        UdpDelayRelay.Path udp = relay.open(ToxiproxyServer.listenPort(proxy), upstream,
            new UdpDelayRelay.Link(Duration.ZERO, Duration.ZERO));
        return new WanPath(toxiproxy, proxy, udp);
      } catch (BindException e) {
        toxiproxy.delete(proxy);
        if (attempt == BIND_ATTEMPTS) {
          throw new UncheckedIOException("no port free for both TCP and UDP after " + attempt + " tries", e);
        }
      } catch (IOException e) {
        toxiproxy.delete(proxy);
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The 127.0.0.1 port clients send to, over UDP and TCP alike. */
  public int port() {
    return ToxiproxyServer.listenPort(proxy);
  }

  /** The round trip this path adds from now on: {@code rtt} +- {@code jitter} (uniform), on both protocols. */
  public void set(Duration rtt, Duration jitter) {
    toxiproxy.setLatency(proxy, ToxicDirection.DOWNSTREAM, rtt.toMillis(), jitter.toMillis());
    udp.set(new UdpDelayRelay.Link(rtt, jitter));
  }

  @Override
  public String toString() {
    return proxy.getName() + " (127.0.0.1:" + port() + " -> " + proxy.getUpstream() + ")";
  }
}
