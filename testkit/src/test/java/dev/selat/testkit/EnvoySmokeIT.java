package dev.selat.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real Envoy runs here: a static bootstrap proxies HTTP to a backend the test starts. */
class EnvoySmokeIT {
  private HttpServer backend;

  @BeforeEach
  void startBackend() throws Exception {
    backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/", exchange -> {
      byte[] body = ("hello from backend, path " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("x-backend", "smoke");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    backend.start();
  }

  @AfterEach
  void stopBackend() {
    backend.stop(0);
  }

  @Test
  void staticBootstrap_proxiesHttpToBackend() throws Exception {
    int listenerPort = Ports.freeTcpPort();
    String bootstrap = """
        static_resources:
          listeners:
          - name: ingress
            address: { socket_address: { address: 127.0.0.1, port_value: %d } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: ingress
                  route_config:
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes: [{ match: { prefix: "/" }, route: { cluster: backend } }]
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
          clusters:
          - name: backend
            type: STATIC
            connect_timeout: 1s
            load_assignment:
              cluster_name: backend
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: %d } } }
        """.formatted(listenerPort, backend.getAddress().getPort());

    try (EnvoyProcess envoy = EnvoyProcess.start("smoke", bootstrap)) {
      envoy.awaitReady(Duration.ofSeconds(30));
      envoy.awaitHealthyHosts("backend", 1, Duration.ofSeconds(10));

      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listenerPort + "/via-envoy")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("hello from backend, path /via-envoy");
      assertThat(response.headers().firstValue("x-backend")).hasValue("smoke");
      assertThat(envoy.statValue("cluster.backend.upstream_rq_200")).isEqualTo(1);
      assertThat(envoy.statValue("cluster.backend.upstream_rq_2.0")).as("a name is literal, not a regex").isEqualTo(-1);
      assertThat(envoy.statValue("cluster.outbound|80||backend.upstream_rq_200")).isEqualTo(-1);
      System.out.println("envoy version: " + envoy.admin("/server_info").replaceAll("(?s).*\"version\": \"([^\"]+)\".*", "$1"));
    }
  }
}
