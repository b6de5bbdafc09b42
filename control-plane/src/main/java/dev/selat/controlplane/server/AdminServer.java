package dev.selat.controlplane.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.selat.xds.XdsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
 * The admin HTTP server (Jetty): {@code /metrics}, {@code /healthz}, {@code /readyz}, {@code /debug/latency},
 * {@code /debug/routes}, {@code /debug/proxies}.
 */
final class AdminServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Server server;
  private final ServerConnector connector;

  AdminServer(InetSocketAddress address, PrometheusMeterRegistry registry, RouteEngine engine, XdsServer xds)
      throws Exception {
    server = new Server(new QueuedThreadPool(8, 2));
    connector = new ServerConnector(server, 1, 1);
    connector.setHost(address.getHostString());
    connector.setPort(address.getPort());
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getDecodedPath();
        Fields query = Request.extractQueryParameters(request);
        switch (path) {
          case "/metrics" -> send(response, callback, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
          case "/healthz" -> send(response, callback, 200, "text/plain", "ok\n");
          case "/readyz" -> send(response, callback, engine.ready() ? 200 : 503, "text/plain",
              engine.ready() ? "ready\n" : "not ready: waiting for every site to sync or spend its start budget\n");
          case "/debug/latency" -> json(response, callback, DebugJson.latency(engine.views()));
          case "/debug/routes" -> json(response, callback,
              DebugJson.routes(engine.views(), query.getValue("site"), query.getValue("service")));
          case "/debug/proxies" -> json(response, callback, DebugJson.proxies(xds.streams(), query.getValue("site")));
          default -> send(response, callback, 404, "text/plain", "not found: " + path + "\n");
        }
        return true;
      }
    });
    server.start();
  }

  int port() {
    return connector.getLocalPort();
  }

  private static void json(Response response, Callback callback, Object value) throws Exception {
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
