package dev.selat.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * How {@code selat demo --step NAME} reaches the running demo: {@code POST /steps/NAME} on a loopback port that the
 * demo writes to {@code <dir>/control.port} while it runs.
 */
final class StepServer implements AutoCloseable {
  private final HttpServer server;
  private final Path portFile;

  StepServer(Path dir, Predicate<String> step) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/steps/", exchange -> {
      String name = exchange.getRequestURI().getPath().substring("/steps/".length());
      if (!exchange.getRequestMethod().equals("POST")) {
        answer(exchange, 405, "POST a step\n");
      } else if (step.test(name)) {
        answer(exchange, 200, "done: " + name + "\n");
      } else {
        answer(exchange, 404, "no step \"" + name + "\"; steps: " + DemoMesh.STEPS.stream().map(DemoMesh.Step::name).toList() + "\n");
      }
    });
    server.start();
    portFile = dir.resolve("control.port");
    Files.writeString(portFile, server.getAddress().getPort() + "\n");
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The port of the demo running with {@code dir}, if one answers there. */
  static Optional<Integer> running(Path dir) {
    try {
      int port = Integer.parseInt(Files.readString(dir.resolve("control.port")).trim());
      try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/steps/")).build(),
            HttpResponse.BodyHandlers.discarding());
      }
      return Optional.of(port);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Asks the demo at {@code port} to run step {@code name}: its status and answer. */
  static HttpResponse<String> send(int port, String name) throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/steps/" + name))
          .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  @Override
  public void close() throws IOException {
    Files.deleteIfExists(portFile);
    server.stop(0);
  }
}
