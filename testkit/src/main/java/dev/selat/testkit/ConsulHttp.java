package dev.selat.testkit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * A small client of Consul's HTTP API, for test helpers: only what the HTTP API offers, so it works the same against
 * consul-emulator and a real {@code consul}. A non-2xx answer throws {@link IllegalStateException} with Consul's status and message.
 */
final class ConsulHttp {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();
  private final URI base;
  private final Optional<String> token;

  ConsulHttp(URI base, Optional<String> token) {
    this.base = requireNonNull(base, "base");
    this.token = requireNonNull(token, "token");
  }

  /** The answer's body; empty when Consul answers 404 (a missing key, for instance). */
  Optional<String> get(String pathAndQuery) {
    HttpResponse<String> response = send(request(pathAndQuery).GET(), pathAndQuery, true);
    return response.statusCode() == 404 ? Optional.empty() : Optional.of(response.body());
  }

  String put(String pathAndQuery, String body) {
    return send(request(pathAndQuery).PUT(HttpRequest.BodyPublishers.ofString(body)), pathAndQuery, false).body();
  }

  String putJson(String pathAndQuery, Object body) {
    try {
      return put(pathAndQuery, JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("body: not serializable to JSON: " + e.getMessage(), e);
    }
  }

  String delete(String pathAndQuery) {
    return send(request(pathAndQuery).DELETE(), pathAndQuery, false).body();
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Consul answered something that is not JSON: " + json, e);
    }
  }

  static String encode(String pathSegmentOrValue) {
    return URLEncoder.encode(pathSegmentOrValue, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(TIMEOUT);
    token.ifPresent(t -> builder.header("X-Consul-Token", t));
    return builder;
  }

  private HttpResponse<String> send(HttpRequest.Builder request, String pathAndQuery, boolean notFoundIsAnswer) {
    HttpResponse<String> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("Consul at " + base + " did not answer " + pathAndQuery, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted calling " + pathAndQuery, e);
    }
    int status = response.statusCode();
    if (status / 100 != 2 && !(notFoundIsAnswer && status == 404)) {
      throw new IllegalStateException(pathAndQuery + ": Consul answered " + status + " " + response.body().strip());
    }
    return response;
  }
}
