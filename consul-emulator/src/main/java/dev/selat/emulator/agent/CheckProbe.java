package dev.selat.emulator.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selat.emulator.state.HealthCheck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Function;

/**
 * Runs an HTTP or TCP check once, as Consul's agent/checks do: HTTP 2xx is passing, 429 warning,
 * anything else critical; TCP passes when a connection opens within the timeout (default 10 s).
 */
public final class CheckProbe implements Function<JsonNode, CheckProbe.Result> {
  public record Result(String status, String output) {}

  // Created on first use: the JDK HTTP client costs start-up time most agents never need.
  private volatile HttpClient http;

  private HttpClient client() {
    HttpClient c = http;
    if (c == null) {
      synchronized (this) {
        if (http == null) {
          http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        }
        c = http;
      }
    }
    return c;
  }

  @Override
  public Result apply(JsonNode def) {
    Duration timeout = def.has("Timeout") ? LocalAgent.duration(def, "Timeout") : Duration.ofSeconds(10);
    if (def.has("TCP")) {
      return tcp(def.get("TCP").asText(), timeout);
    }
    return http(def.get("HTTP").asText(), def.has("Method") ? def.get("Method").asText() : "GET", timeout);
  }

  private Result http(String url, String method, Duration timeout) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
          .method(method, HttpRequest.BodyPublishers.noBody()).header("User-Agent", "Consul Health Check").build();
      HttpResponse<String> res = client().send(req, HttpResponse.BodyHandlers.ofString());
      String out = "HTTP " + method + " " + url + ": " + res.statusCode() + " Output: " + truncate(res.body());
      int code = res.statusCode();
      return new Result(code >= 200 && code < 300 ? HealthCheck.PASSING
          : code == 429 ? HealthCheck.WARNING : HealthCheck.CRITICAL, out);
    } catch (IOException | IllegalArgumentException e) {
      return new Result(HealthCheck.CRITICAL, "Get \"" + url + "\": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(HealthCheck.CRITICAL, "interrupted");
    }
  }

  private static Result tcp(String address, Duration timeout) {
    int at = address.lastIndexOf(':');
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address.substring(0, at), Integer.parseInt(address.substring(at + 1))),
          (int) timeout.toMillis());
      return new Result(HealthCheck.PASSING, "TCP connect " + address + ": Success");
    } catch (IOException | RuntimeException e) {
      return new Result(HealthCheck.CRITICAL, "dial tcp " + address + ": " + e.getMessage());
    }
  }

  private static String truncate(String s) {
    return s.length() > 4096 ? s.substring(0, 4096) : s;
  }
}
