package dev.selat.testkit;

import static java.util.Objects.requireNonNull;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * A real Envoy, started from a bootstrap given as YAML. The bootstrap must not have an {@code admin:} section: this class adds one on
 * an ephemeral loopback port (learned through {@code --admin-address-path}) and offers helpers over the admin API.
 */
public final class EnvoyProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> UNHEALTHY = Set.of("UNHEALTHY", "DRAINING", "TIMEOUT");
  private static final Pattern ADMIN_SECTION = Pattern.compile("(?m)^admin\\s*:");

  private final PeerProcess process;
  private final URI adminUri;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private EnvoyProcess(PeerProcess process, URI adminUri) {
    this.process = process;
    this.adminUri = adminUri;
  }

  /** Starts Envoy and waits until its admin API answers (not until it is ready: see {@link #awaitReady}). */
  public static EnvoyProcess start(String name, String bootstrapYaml) {
    requireNonNull(name, "name");
    requireNonNull(bootstrapYaml, "bootstrapYaml");
    if (ADMIN_SECTION.matcher(bootstrapYaml).find()) {
      throw new IllegalArgumentException("bootstrapYaml: must not contain an admin section; EnvoyProcess adds its own");
    }
    try {
      Path dir = Files.createDirectories(Tools.logDir().resolve("envoy-" + name + "-" + System.nanoTime()));
      Path bootstrap = dir.resolve("bootstrap.yaml");
      Path adminAddressFile = dir.resolve("admin-address");
      Files.writeString(bootstrap, bootstrapYaml + """

          admin:
            address:
              socket_address: { address: 127.0.0.1, port_value: 0 }
          """);
      PeerProcess process = PeerProcess.start("envoy-" + name, List.of(
          Tools.envoy().toString(),
          "-c", bootstrap.toString(),
          "--admin-address-path", adminAddressFile.toString(),
          "--disable-hot-restart",
          "--log-level", "info",
          "--service-node", name,
          "--service-cluster", name));
      return new EnvoyProcess(process, awaitAdminAddress(process, adminAddressFile));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static URI awaitAdminAddress(PeerProcess process, Path file) {
    try {
      String address = Awaitility.await("Envoy admin address of " + process)
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> {
            if (!process.isAlive()) {
              throw new IllegalStateException("Envoy exited:\n" + process.logTail(30));
            }
            return Files.exists(file) ? Files.readString(file).trim() : "";
          }, a -> !a.isEmpty());
      return URI.create("http://" + address);
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
  }

  public URI adminUri() {
    return adminUri;
  }

  public PeerProcess process() {
    return process;
  }

  /** GET on the admin API; throws unless the answer is 200. */
  public String admin(String pathAndQuery) {
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(adminUri.resolve(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("Envoy admin " + pathAndQuery + " answered " + response.statusCode()
            + ": " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException("Envoy admin " + pathAndQuery + " of " + process, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String configDump() {
    return admin("/config_dump?include_eds");
  }

  public String clustersJson() {
    return admin("/clusters?format=json");
  }

  public String stats() {
    return admin("/stats");
  }

  /**
   * A counter or gauge from {@code /stats}, or -1 when Envoy has no such stat. The name is matched literally: Envoy
   * reads the filter as a regex, and stat names hold regex and URL metacharacters ({@code outbound|80||svc}).
   */
  public long statValue(String name) {
    String filter = "^" + name.replaceAll("[\\\\.^$|?*+()\\[\\]{}]", "\\\\$0") + "$";
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + ": (\\d+)$")
        .matcher(admin("/stats?filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8)));
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  public boolean isReady() {
    try {
      return "LIVE".equals(admin("/ready").trim());
    } catch (RuntimeException notYet) {
      return false;
    }
  }

  public void awaitReady(Duration atMost) {
    Awaitility.await("Envoy " + process + " ready").atMost(atMost).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("Envoy exited:\n" + process.logTail(30));
          }
          return isReady();
        });
  }

  /**
   * Hosts of {@code cluster} that Envoy would send traffic to: EDS status not unhealthy, draining or timed out, and no failed
   * active or outlier check. 0 when Envoy does not know the cluster.
   */
  public int healthyHosts(String cluster) {
    try {
      JsonNode root = JSON.readTree(clustersJson());
      for (JsonNode status : root.path("cluster_statuses")) {
        if (cluster.equals(status.path("name").asText())) {
          int healthy = 0;
          for (JsonNode host : status.path("host_statuses")) {
            JsonNode health = host.path("health_status");
            boolean failed = health.path("failed_active_health_check").asBoolean(false)
                || health.path("failed_outlier_check").asBoolean(false)
                || UNHEALTHY.contains(health.path("eds_health_status").asText(""));
            if (!failed) {
              healthy++;
            }
          }
          return healthy;
        }
      }
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void awaitHealthyHosts(String cluster, int count, Duration atMost) {
    Awaitility.await("Envoy cluster " + cluster + " with " + count + " healthy hosts")
        .atMost(atMost).pollInterval(Duration.ofMillis(100))
        .until(() -> healthyHosts(cluster), n -> n == count);
  }

  @Override
  public void close() {
    try {
      process.close();
    } finally {
      http.shutdownNow();
    }
  }
}
