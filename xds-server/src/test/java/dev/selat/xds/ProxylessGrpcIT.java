package dev.selat.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.testkit.NamedBackend;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real grpc-java xDS client resolves {@code xds:///greeter} through the server (LDS with an API
 * listener, RDS, CDS of type EDS, EDS with two localities) and calls two real gRPC backends.
 * The xDS client reads its bootstrap once per JVM, so one server and one channel serve the class.
 */
class ProxylessGrpcIT {
  private static final String GROUP = "jakarta";
  private static final int CALLS = 400;

  private static XdsServer server;
  private static NamedBackend west;
  private static NamedBackend east;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    server = XdsServer.builder()
        .address(new InetSocketAddress("127.0.0.1", 0))
        .nodeGroupMapper(NodeGroupMapper.byNodeCluster())
        .meterRegistry(new SimpleMeterRegistry())
        .start();
    west = new NamedBackend("west");
    east = new NamedBackend("east");
    System.setProperty("io.grpc.xds.bootstrapConfig", """
        {
          "xds_servers": [{
            "server_uri": "127.0.0.1:%d",
            "channel_creds": [{"type": "insecure"}],
            "server_features": ["xds_v3"]
          }],
          "node": {"id": "proxyless-1", "cluster": "%s", "locality": {"zone": "zone-west"}}
        }
        """.formatted(server.port(), GROUP));
    channel = Grpc.newChannelBuilder("xds:///greeter", InsecureChannelCredentials.create()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    System.clearProperty("io.grpc.xds.bootstrapConfig");
    if (west != null) {
      west.close();
    }
    if (east != null) {
      east.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void localityWeights_changed_trafficFollowsTheWeights() {
    publish(Resources.locality("zone-west", 1, 0, west.port()), Resources.locality("zone-east", 1, 0, east.port()));
    await().atMost(Duration.ofSeconds(30)).until(() -> calls(40).size() == 2);
    Map<String, Integer> even = calls(CALLS);

    publish(Resources.locality("zone-west", 9, 0, west.port()), Resources.locality("zone-east", 1, 0, east.port()));
    await().atMost(Duration.ofSeconds(30)).until(() -> calls(100).getOrDefault("west", 0) >= 80);
    Map<String, Integer> skewed = calls(CALLS);

    System.out.printf("locality weights 1:1 -> %s, 9:1 -> %s over %d calls%n", even, skewed, CALLS);
    assertThat(share(even, "west")).isBetween(0.35, 0.65);
    assertThat(share(skewed, "west")).isBetween(0.82, 0.97);
  }

  @Test
  void priorityFailover_primaryLocalityDown_trafficMovesToSecondary() throws Exception {
    try (NamedBackend primary = new NamedBackend("primary")) {
      publish(Resources.locality("zone-primary", 1, 0, primary.port()),
          Resources.locality("zone-east", 1, 1, east.port()));
      await().atMost(Duration.ofSeconds(30)).until(() -> calls(20).equals(Map.of("primary", 20)));

      primary.stop();

      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> calls(20).equals(Map.of("east", 20)));
      assertThat(calls(CALLS)).isEqualTo(Map.of("east", CALLS));
    }
  }

  private static void publish(io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints... localities) {
    server.publish(GROUP, ResourceSnapshot.builder()
        .listener(Resources.apiListener("greeter", "greeter-route"))
        .route(Resources.route("greeter-route", "greeter", "greeter-cluster"))
        .cluster(Resources.edsCluster("greeter-cluster"))
        .endpoints(Resources.endpoints("greeter-cluster", localities))
        .build());
  }

  /** Backend name -> number of the {@code n} calls it answered. */
  private static Map<String, Integer> calls(int n) {
    return NamedBackend.tally(channel, n);
  }

  private static double share(Map<String, Integer> byBackend, String backend) {
    int total = byBackend.values().stream().mapToInt(Integer::intValue).sum();
    return byBackend.getOrDefault(backend, 0) / (double) total;
  }
}
