package dev.selat.emulator.http;

import dev.selat.emulator.EmulatorConfig;
import java.net.URI;
import java.nio.channels.ServerSocketChannel;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Jetty 12 server of one emulator: an HTTP listener and, when TLS is configured, an HTTPS one.
 * Requests are handled on virtual threads, so a parked blocking query holds no platform thread.
 */
public final class HttpServers implements AutoCloseable {
  private final Server server;
  private final ServerConnector http;
  private final ServerConnector https;
  private final ExecutorService requestThreads;

  /**
   * Starts the listeners. {@code preBound}, when present, is the HTTP listener's socket, already
   * bound (the standalone main binds it first, so clients can connect while the server starts).
   */
  public HttpServers(EmulatorConfig config, ConsulHandler handler, ConnectionLimiter limiter,
      Optional<ServerSocketChannel> preBound) throws Exception {
    QueuedThreadPool pool = new QueuedThreadPool(8, 2);
    pool.setName("consul-emulator-" + config.datacenter());
    requestThreads = Executors.newThreadPerTaskExecutor(
        Thread.ofVirtual().name("consul-emulator-" + config.datacenter() + "-req-", 0).factory());
    pool.setVirtualThreadsExecutor(requestThreads);
    server = new Server(pool);
    HttpConfiguration hc = new HttpConfiguration();
    hc.setSendServerVersion(false);
    hc.setSendDateHeader(true);
    http = new ServerConnector(server, 1, 1, new HttpConnectionFactory(hc));
    http.setHost(config.clientAddr());
    http.setPort(config.httpPort());
    http.addBean(limiter);
    if (preBound.isPresent()) {
      http.open(preBound.get());
    }
    server.addConnector(http);
    if (config.httpsPort() >= 0 && config.tls().configured()) {
      HttpConfiguration shc = new HttpConfiguration(hc);
      SecureRequestCustomizer src = new SecureRequestCustomizer();
      src.setSniHostCheck(false);
      shc.addCustomizer(src);
      https = new ServerConnector(server, 1, 1,
          new SslConnectionFactory(Tls.contextFactory(config.tls()), "http/1.1"), new HttpConnectionFactory(shc));
      https.setHost(config.clientAddr());
      https.setPort(config.httpsPort());
      https.addBean(limiter);
      server.addConnector(https);
    } else {
      https = null;
    }
    server.setHandler(handler);
    server.setStopTimeout(0);
    try {
      server.start();
    } catch (Exception e) {
      // Jetty leaves what it started (the thread pool, a connector that did bind) running when a later part fails.
      try {
        close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  public URI httpAddress() {
    return URI.create("http://" + http.getHost() + ":" + http.getLocalPort());
  }

  public Optional<URI> httpsAddress() {
    return Optional.ofNullable(https).map(h -> URI.create("https://" + h.getHost() + ":" + h.getLocalPort()));
  }

  @Override
  public void close() throws Exception {
    try {
      server.stop();
    } finally {
      requestThreads.shutdownNow();
    }
  }
}
