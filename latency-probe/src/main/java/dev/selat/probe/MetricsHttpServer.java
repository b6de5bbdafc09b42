package dev.selat.probe;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The agent's small HTTP server: {@code GET /metrics} (Prometheus text format) and {@code GET /healthz}. */
final class MetricsHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsHttpServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  static MetricsHttpServer start(InetSocketAddress bind, PrometheusMeterRegistry registry) throws IOException {
    requireNonNull(registry, "registry");
    HttpServer server = HttpServer.create(bind, 16);
    server.createContext("/metrics", exchange -> respond(exchange, "text/plain; version=0.0.4; charset=utf-8",
        registry.scrape()));
    server.createContext("/healthz", exchange -> respond(exchange, "text/plain; charset=utf-8", "ok\n"));
    ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("selat-probe-http").factory());
    server.setExecutor(executor);
    server.start();
    return new MetricsHttpServer(server, executor);
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  private static void respond(HttpExchange exchange, String contentType, String body) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
