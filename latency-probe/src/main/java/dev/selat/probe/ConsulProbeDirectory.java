package dev.selat.probe;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The agent's only contact with Consul, over its HTTP API: registering this agent as service {@code selat-probe}
 * (with a TCP health check on its probe port, so Consul sees the responder itself), and finding the passing
 * {@code selat-probe} instances of a site. Consul's JSON stops here: callers get {@link ProbeAgentEntry} records.
 * The token goes in the {@code X-Consul-Token} header and nowhere else.
 */
final class ConsulProbeDirectory {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** A registered probe agent as found in a site's Consul. */
  record ProbeAgentEntry(String site, String agentId, String address, int port) {}

  private final HttpClient http;
  private final Optional<String> token;
  private final ObjectMapper json = new ObjectMapper();

  ConsulProbeDirectory(HttpClient http, Optional<String> token) {
    this.http = requireNonNull(http, "http");
    this.token = requireNonNull(token, "token");
  }

  static String serviceId(String agentId) {
    return ProbeAgentConfig.SERVICE_NAME + "-" + agentId;
  }

  void register(URI consul, ProbeAgentConfig config, int probePort, int grpcPort) throws IOException {
    String address = config.advertiseAddress().getHostAddress();
    ObjectNode body = json.createObjectNode()
        .put("ID", serviceId(config.agentId()))
        .put("Name", ProbeAgentConfig.SERVICE_NAME)
        .put("Address", address)
        .put("Port", probePort);
    body.putArray("Tags").add("site-" + config.siteId());
    body.putObject("Meta")
        .put("site", config.siteId())
        .put("agent_id", config.agentId())
        .put("grpc_port", Integer.toString(grpcPort));
    body.putObject("Check")
        .put("Name", "probe responder")
        .put("TCP", address + ":" + probePort)
        .put("Interval", "10s")
        .put("Timeout", "2s")
        .put("Status", "passing")
        .put("DeregisterCriticalServiceAfter", "10m");
    send(HttpRequest.newBuilder(consul.resolve("/v1/agent/service/register"))
        .PUT(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
  }

  void deregister(URI consul, String agentId) throws IOException {
    send(HttpRequest.newBuilder(consul.resolve("/v1/agent/service/deregister/" + serviceId(agentId)))
        .PUT(HttpRequest.BodyPublishers.noBody()));
  }

  /**
   * Whether this site's Consul agent still has this agent's service: an agent that restarted without its data
   * directory, or an operator's deregistration, loses it, and nothing but the owner registers it again.
   */
  boolean isRegistered(URI consul, String agentId) throws IOException {
    URI service = consul.resolve("/v1/agent/service/" + serviceId(agentId));
    HttpResponse<String> response = exchange(HttpRequest.newBuilder(service).GET());
    if (response.statusCode() == 404) {
      return false;
    }
    check(response);
    return true;
  }

  /** The passing probe agents registered in one site's Consul (entries without a site are skipped). */
  List<ProbeAgentEntry> passingAgents(URI consul) throws IOException {
    JsonNode entries = json.readTree(send(HttpRequest.newBuilder(
        consul.resolve("/v1/health/service/" + ProbeAgentConfig.SERVICE_NAME + "?passing=true")).GET()));
    List<ProbeAgentEntry> agents = new ArrayList<>();
    for (JsonNode entry : entries) {
      JsonNode service = entry.path("Service");
      String site = service.path("Meta").path("site").asText("");
      String address = service.path("Address").asText("");
      if (address.isEmpty()) {
        address = entry.path("Node").path("Address").asText("");
      }
      int port = service.path("Port").asInt(0);
      if (!site.isEmpty() && !address.isEmpty() && port > 0) {
        agents.add(new ProbeAgentEntry(site, service.path("Meta").path("agent_id").asText(""), address, port));
      }
    }
    return agents;
  }

  private String send(HttpRequest.Builder request) throws IOException {
    return check(exchange(request)).body();
  }

  private HttpResponse<String> exchange(HttpRequest.Builder request) throws IOException {
    token.ifPresent(t -> request.header("X-Consul-Token", t));
    try {
      return http.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static HttpResponse<String> check(HttpResponse<String> response) throws IOException {
    if (response.statusCode() / 100 != 2) {
      throw new IOException(response.request().method() + " " + response.request().uri().getPath() + ": HTTP "
          + response.statusCode() + ": " + response.body().strip());
    }
    return response;
  }
}
