package dev.selat.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.selat.testkit.EnvoyProcess;
import dev.selat.testkit.Ports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a real Envoy on ADS must see from the server, run once per protocol ({@link EnvoySotwIT},
 * {@link EnvoyDeltaIT}). Envoy sends its node only on the first request of the stream.
 */
abstract class EnvoyAdsContract {
  private static final String GROUP = "jakarta";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger brokenSent = new AtomicInteger();
  private final AtomicInteger nacks = new AtomicInteger();
  private final AtomicInteger streamsOpened = new AtomicInteger();
  private XdsServer server;
  private EnvoyProcess envoy;
  private HttpServer backend;

  /** GRPC or DELTA_GRPC. */
  abstract String apiType();

  @BeforeEach
  void startBackend() throws IOException {
    backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/", exchange -> {
      byte[] body = "hello from backend".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    backend.start();
  }

  private void startServerAndEnvoy(UnaryOperator<XdsServer.Builder> options) throws IOException {
    server = options.apply(XdsServer.builder())
        .address(new InetSocketAddress("127.0.0.1", 0))
        .nodeGroupMapper(NodeGroupMapper.constant(GROUP))
        .meterRegistry(registry)
        .callbacks(new XdsCallbacks() {
          @Override
          public void onResponse(XdsStreamInfo stream, String typeUrl, Collection<VersionedResource> resources,
              Collection<String> removed) {
            brokenSent.addAndGet((int) resources.stream().filter(r -> r.name().equals("broken")).count());
          }

          @Override
          public void onStreamOpen(XdsStreamInfo stream) {
            streamsOpened.incrementAndGet();
          }

          @Override
          public void onNack(XdsStreamInfo stream, String typeUrl, String nonce, String errorDetail) {
            nacks.incrementAndGet();
          }
        })
        .start();
    envoy = EnvoyProcess.start("ads-" + apiType().toLowerCase(), bootstrap(server.port()));
  }

  @AfterEach
  void stop() {
    if (envoy != null) {
      envoy.close();
    }
    if (backend != null) {
      backend.stop(0);
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void published_clustersEndpointsAndRoutes_appearInEnvoyAndServeTraffic() throws Exception {
    startServerAndEnvoy(UnaryOperator.identity());
    int listenerPort = Ports.freeTcpPort();
    server.publish(GROUP, snapshot(listenerPort, backend.getAddress().getPort()).build());

    envoy.awaitReady(WAIT);
    envoy.awaitHealthyHosts("backend", 1, WAIT);
    String dump = envoy.configDump();
    assertThat(dump).contains("\"name\": \"backend\"").contains("\"port_value\": " + backend.getAddress().getPort())
        .contains("\"name\": \"ingress\"").contains("\"name\": \"local\"");
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listenerPort + "/")).build();
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(http.send(get, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("hello from backend"));
    assertThat(count("selat.xds.acks")).isGreaterThanOrEqualTo(1);
    assertThat(nacks).hasValue(0);
  }

  @Test
  void endpointUpdate_published_reachesEnvoy() throws IOException {
    startServerAndEnvoy(UnaryOperator.identity());
    int listenerPort = Ports.freeTcpPort();
    int port = backend.getAddress().getPort();
    server.publish(GROUP, snapshot(listenerPort, port).build());
    envoy.awaitHealthyHosts("backend", 1, WAIT);

    server.publish(GROUP, snapshot(listenerPort, port, Ports.freeTcpPort(), Ports.freeTcpPort()).build());

    envoy.awaitHealthyHosts("backend", 3, WAIT);
    assertThat(envoy.statValue("cluster.backend.update_success")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void clusterChange_endpointsUnchanged_updatedClusterFinishesWarming() throws IOException {
    startServerAndEnvoy(UnaryOperator.identity());
    int listenerPort = Ports.freeTcpPort();
    int port = backend.getAddress().getPort();
    server.publish(GROUP, snapshot(listenerPort, port).cluster(waitingForEndpoints(1)).build());
    envoy.awaitHealthyHosts("backend", 1, WAIT);

    server.publish(GROUP, snapshot(listenerPort, port).cluster(waitingForEndpoints(7)).build());

    // Envoy warms an updated cluster until it has endpoints for it again; with no fetch timeout it
    // waits for the server, however long.
    await().atMost(WAIT).until(() -> envoy.statValue("cluster_manager.warming_clusters") == 0
        && envoy.statValue("cluster_manager.cluster_modified") >= 1);
    assertThat(envoy.configDump()).contains("\"connect_timeout\": \"7s\"");
    envoy.awaitHealthyHosts("backend", 1, WAIT);
  }

  /** Cluster "backend" whose warming waits for its endpoints without a fetch timeout. */
  private static io.envoyproxy.envoy.config.cluster.v3.Cluster waitingForEndpoints(int connectTimeoutSeconds) {
    var cluster = Resources.edsCluster("backend").toBuilder()
        .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(connectTimeoutSeconds));
    cluster.getEdsClusterConfigBuilder().getEdsConfigBuilder()
        .setInitialFetchTimeout(com.google.protobuf.Duration.getDefaultInstance());
    return cluster.build();
  }

  @Test
  void invalidCluster_rejectedByEnvoy_isNackedAndNotResent() throws IOException {
    startServerAndEnvoy(UnaryOperator.identity());
    int listenerPort = Ports.freeTcpPort();
    int port = backend.getAddress().getPort();
    server.publish(GROUP, snapshot(listenerPort, port).build());
    envoy.awaitHealthyHosts("backend", 1, WAIT);

    // Envoy's validation requires connect_timeout > 0.
    ResourceSnapshot.Builder withBroken = snapshot(listenerPort, port)
        .cluster(Resources.edsCluster("broken").toBuilder()
            .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(-1)).build());
    server.publish(GROUP, withBroken.build());
    await().atMost(WAIT).until(nacks::get, n -> n >= 1);
    double cdsResponses = count("selat.xds.responses");

    // A later, valid change still flows; the rejected cluster is not sent again.
    int newPort = Ports.freeTcpPort();
    server.publish(GROUP, snapshot(listenerPort, port, newPort)
        .cluster(Resources.edsCluster("broken").toBuilder()
            .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(-1)).build())
        .build());
    envoy.awaitHealthyHosts("backend", 2, WAIT);

    assertThat(brokenSent).hasValue(1);
    assertThat(nacks).hasValue(1);
    assertThat(count("selat.xds.nacks")).isEqualTo(1);
    assertThat(count("selat.xds.responses")).isEqualTo(cdsResponses);
    assertThat(envoy.configDump()).doesNotContain("\"name\": \"broken\"");
  }

  @Test
  void maxConnectionAge_envoyReconnects_carriesItsVersionsAndGetsNothingResent() throws IOException {
    startServerAndEnvoy(b -> b.maxConnectionAge(Duration.ofSeconds(2), Duration.ofMillis(500)));
    int listenerPort = Ports.freeTcpPort();
    int port = backend.getAddress().getPort();
    server.publish(GROUP, snapshot(listenerPort, port).build());
    envoy.awaitReady(WAIT);
    envoy.awaitHealthyHosts("backend", 1, WAIT);
    await().atMost(WAIT).until(() -> total("selat.xds.acks") >= 4 && total("selat.xds.responses") == total("selat.xds.acks"));
    double responses = total("selat.xds.responses");

    await().atMost(WAIT).until(streamsOpened::get, n -> n >= 3);

    assertThat(total("selat.xds.responses")).isEqualTo(responses);
    assertThat(envoy.healthyHosts("backend")).isEqualTo(1);
    server.publish(GROUP, snapshot(listenerPort, port, Ports.freeTcpPort()).build());
    envoy.awaitHealthyHosts("backend", 2, WAIT);
  }

  /** A CDS counter of this test's protocol. */
  private double count(String name) {
    return registry.get(name).tag("type", "cds").tag("protocol", protocol()).counter().count();
  }

  /** A counter of this test's protocol, summed over types. */
  private double total(String name) {
    return registry.find(name).tag("protocol", protocol()).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private String protocol() {
    return apiType().equals("GRPC") ? "sotw" : "delta";
  }

  /** Cluster "backend" over EDS with endpoints on {@code ports}, listener "ingress" routing to it via route "local". */
  private static ResourceSnapshot.Builder snapshot(int listenerPort, int... ports) {
    return ResourceSnapshot.builder()
        .cluster(Resources.edsCluster("backend"))
        .endpoints(Resources.endpoints("backend", ports))
        .listener(Resources.httpListener("ingress", listenerPort, "local"))
        .route(Resources.route("local", "*", "backend"));
  }

  private String bootstrap(int xdsPort) {
    return """
        dynamic_resources:
          ads_config:
            api_type: %s
            transport_api_version: V3
            set_node_on_first_message_only: true
            grpc_services:
              - envoy_grpc: { cluster_name: selat_xds }
          cds_config: { ads: {}, resource_api_version: V3 }
          lds_config: { ads: {}, resource_api_version: V3 }
        static_resources:
          clusters:
            - name: selat_xds
              type: STATIC
              connect_timeout: 1s
              typed_extension_protocol_options:
                envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                  "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                  explicit_http_config: { http2_protocol_options: {} }
              load_assignment:
                cluster_name: selat_xds
                endpoints:
                  - lb_endpoints:
                      - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: %d } } }
        """.formatted(apiType(), xdsPort);
  }
}
