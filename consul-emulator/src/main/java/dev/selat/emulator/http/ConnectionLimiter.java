package dev.selat.emulator.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.ssl.SslConnection;

/**
 * limits.http_max_conns_per_client: counts open connections per client IP; a connection opened
 * past the limit is answered 429 and closed (Consul's connlimit does the same).
 */
public final class ConnectionLimiter implements Connection.Listener {
  private final int maxPerClient;
  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
  private final Set<Connection> excess = ConcurrentHashMap.newKeySet();

  public ConnectionLimiter(int maxPerClient) {
    this.maxPerClient = maxPerClient;
  }

  @Override
  public void onOpened(Connection connection) {
    if (connection instanceof SslConnection) {
      return; // over TLS the listener also sees the SslConnection under it: count each client connection once
    }
    int n = open.merge(ip(connection), 1, Integer::sum);
    if (n > maxPerClient) {
      excess.add(connection);
    }
  }

  @Override
  public void onClosed(Connection connection) {
    if (connection instanceof SslConnection) {
      return;
    }
    open.computeIfPresent(ip(connection), (k, v) -> v <= 1 ? null : v - 1);
    excess.remove(connection);
  }

  boolean overLimit(Connection connection) {
    return connection != null && excess.contains(connection);
  }

  private static String ip(Connection c) {
    SocketAddress a = c.getEndPoint().getRemoteSocketAddress();
    return a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() : String.valueOf(a);
  }
}
