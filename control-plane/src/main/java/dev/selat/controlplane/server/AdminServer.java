package dev.selat.controlplane.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.selat.controlplane.config.AdminSettings;
import dev.selat.xds.XdsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The admin HTTP server (Jetty): {@code /metrics}, {@code /healthz}, {@code /readyz}, the {@code /debug} pages, and the
 * status page: {@code /} and its assets from the jar, its data from {@code /api/status}. With an admin token
 * ({@link AdminSettings}), {@code /debug/*} and {@code /api/*} answer 401 without {@code Authorization: Bearer
 * <token>}; the rest stays open (probes, Prometheus, and the page, which holds no data until given the token).
 * Requests are never logged, so neither is a token.
 */
final class AdminServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** The status page's files, in the jar: path -> content type. */
  private static final Map<String, String> ASSETS = Map.of(
      "/index.html", "text/html; charset=utf-8",
      "/status.css", "text/css; charset=utf-8",
      "/status.js", "text/javascript; charset=utf-8");
  private static final String ASSET_DIR = "/dev/selat/controlplane/status";
  /** Only this origin's own files and data; nothing inline, nothing framed. */
  private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
      + "img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

  private final Server server;
  private final ServerConnector connector;
  private final Map<String, byte[]> assets = new java.util.HashMap<>();

  AdminServer(InetSocketAddress address, PrometheusMeterRegistry registry, RouteEngine engine, XdsServer xds,
      EventLog events, AdminSettings settings, Clock clock) throws Exception {
    ASSETS.keySet().forEach(path -> assets.put(path, load(path)));
    server = new Server(new QueuedThreadPool(8, 2));
    connector = new ServerConnector(server, 1, 1);
    connector.setHost(address.getHostString());
    connector.setPort(address.getPort());
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getDecodedPath();
        if ((path.startsWith("/debug/") || path.startsWith("/api/"))
            && !settings.admits(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
          response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"selat-admin\"");
          response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
          send(response, callback, 401, "text/plain; charset=utf-8",
              "unauthorized: this control plane's admin token is needed (Authorization: Bearer <token>)\n");
          return true;
        }
        Fields query = Request.extractQueryParameters(request);
        switch (path) {
          case "/metrics" -> send(response, callback, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
          case "/healthz" -> send(response, callback, 200, "text/plain", "ok\n");
          case "/readyz" -> send(response, callback, engine.ready() ? 200 : 503, "text/plain",
              engine.ready() ? "ready\n" : "not ready: waiting for every site to sync or spend its start budget\n");
          case "/debug/latency" -> json(response, callback, DebugJson.latency(engine.views()));
          case "/debug/routes" -> json(response, callback,
              DebugJson.routes(engine.views(), query.getValue("site"), query.getValue("service"), clock.instant()));
          case "/debug/proxies" -> json(response, callback, DebugJson.proxies(xds.streams(), query.getValue("site")));
          case "/api/status" -> json(response, callback, StatusJson.status(engine.views(), engine.ready(),
              xds.streams(), events.recent(), Optional.ofNullable(query.getValue("service")), clock.instant()));
          case "/" -> asset(response, callback, "/index.html");
          case "/favicon.ico" -> send(response, callback, 204, "text/plain", "");
          default -> {
            if (ASSETS.containsKey(path)) {
              asset(response, callback, path);
            } else {
              send(response, callback, 404, "text/plain", "not found: " + path + "\n");
            }
          }
        }
        return true;
      }
    });
    server.start();
  }

  int port() {
    return connector.getLocalPort();
  }

  private static byte[] load(String path) {
    try (InputStream in = AdminServer.class.getResourceAsStream(ASSET_DIR + path)) {
      if (in == null) {
        throw new IllegalStateException("status page asset missing from the jar: " + ASSET_DIR + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void asset(Response response, Callback callback, String path) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, ASSETS.get(path));
    response.getHeaders().put("Content-Security-Policy", CSP);
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put("Referrer-Policy", "no-referrer");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    response.write(true, ByteBuffer.wrap(assets.get(path)), callback);
  }

  private static void json(Response response, Callback callback, Object value) throws Exception {
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    send(response, callback, 200, "application/json", JSON.writeValueAsString(value) + "\n");
  }

  private static void send(Response response, Callback callback, int status, String type, String body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
