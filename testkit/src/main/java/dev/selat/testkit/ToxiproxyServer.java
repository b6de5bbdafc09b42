package dev.selat.testkit;

import static java.util.Objects.requireNonNull;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.toxic.Latency;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.awaitility.Awaitility;

/**
 * A real toxiproxy-server on a free loopback port, with the toxiproxy-java client. Proxies listen on free 127.0.0.1 ports;
 * helpers add latency with jitter, and cut or restore a link.
 */
public final class ToxiproxyServer implements AutoCloseable {
  private final PeerProcess process;
  private final ToxiproxyClient client;

  private ToxiproxyServer(PeerProcess process, ToxiproxyClient client) {
    this.process = process;
    this.client = client;
  }

  public static ToxiproxyServer start() {
    int port = Ports.freeTcpPort();
    PeerProcess process = PeerProcess.start("toxiproxy", List.of(
        Tools.toxiproxyServer().toString(), "-host", "127.0.0.1", "-port", Integer.toString(port)));
    ToxiproxyClient client = new ToxiproxyClient("127.0.0.1", port);
    try {
      Awaitility.await("toxiproxy API on port " + port).atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(50)).ignoreExceptions()
          .until(() -> {
            if (!process.isAlive()) {
              throw new IllegalStateException("toxiproxy exited:\n" + process.logTail(20));
            }
            return client.version() != null;
          });
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
    return new ToxiproxyServer(process, client);
  }

  public ToxiproxyClient client() {
    return client;
  }

  public String version() {
    return call(client::version).replaceAll("[^0-9.]", "");
  }

  /**
   * A proxy listening on a 127.0.0.1 port that Toxiproxy picks itself (port 0: no window in which another process
   * can take a port chosen free beforehand) and forwarding to {@code upstreamHostPort}.
   */
  public Proxy proxy(String name, String upstreamHostPort) {
    requireNonNull(name, "name");
    requireNonNull(upstreamHostPort, "upstreamHostPort");
    return call(() -> client.createProxy(name, "127.0.0.1:0", upstreamHostPort));
  }

  public static int listenPort(Proxy proxy) {
    String listen = proxy.getListen();
    return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
  }

  /**
   * Adds {@code latencyMs} (+- {@code jitterMs}) to the data flowing back to the client: a request/response round trip gets
   * {@code latencyMs} more. Toxiproxy accepts connections itself, so a TCP connect time does not see it.
   */
  public void addLatency(Proxy proxy, long latencyMs, long jitterMs) {
    addLatency(proxy, ToxicDirection.DOWNSTREAM, latencyMs, jitterMs);
  }

  public void addLatency(Proxy proxy, ToxicDirection direction, long latencyMs, long jitterMs) {
    call(() -> proxy.toxics()
        .latency(latencyName(proxy, direction), direction, latencyMs)
        .setJitter(jitterMs));
  }

  /**
   * Sets the proxy's latency toxic in {@code direction}, in place when it exists: there is no moment without one, as
   * there would be between removing a toxic and adding its successor.
   */
  public void setLatency(Proxy proxy, ToxicDirection direction, long latencyMs, long jitterMs) {
    String name = latencyName(proxy, direction);
    call(() -> {
      for (var toxic : proxy.toxics().getAll()) {
        if (toxic.getName().equals(name)) {
          return proxy.toxics().get(name, Latency.class).setLatency(latencyMs).setJitter(jitterMs);
        }
      }
      return proxy.toxics().latency(name, direction, latencyMs).setJitter(jitterMs);
    });
  }

  /** Deletes the proxy: its listener closes and its name is free again. */
  public void delete(Proxy proxy) {
    call(() -> {
      proxy.delete();
      return null;
    });
  }

  /** Removes every toxic from the proxy. */
  public void clearToxics(Proxy proxy) {
    call(() -> {
      for (var toxic : proxy.toxics().getAll()) {
        toxic.remove();
      }
      return null;
    });
  }

  /** Closes the listener and every open connection: the link is down. */
  public void cut(Proxy proxy) {
    call(() -> {
      proxy.disable();
      return null;
    });
  }

  public void restore(Proxy proxy) {
    call(() -> {
      proxy.enable();
      return null;
    });
  }

  @Override
  public void close() {
    process.close();
  }

  private static String latencyName(Proxy proxy, ToxicDirection direction) {
    return proxy.getName() + "-latency-" + direction.name().toLowerCase(Locale.ROOT);
  }

  private interface IoCall<T> {
    T call() throws IOException;
  }

  private static <T> T call(IoCall<T> call) {
    try {
      return call.call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
