package dev.selat.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import dev.selat.proto.v1.LatencyRow;
import dev.selat.proto.v1.LinkEstimate;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import org.junit.jupiter.api.Test;

/** The protobuf runtime, Envoy's xDS protos and Selat's own protos work together on this JDK. */
class EnvoyProtoRoundTripTest {

  @Test
  void cluster_packedInAny_roundTripsWithTypeUrl() throws Exception {
    Cluster cluster = Cluster.newBuilder()
        .setName("payments")
        .setType(Cluster.DiscoveryType.EDS)
        .setConnectTimeout(Duration.newBuilder().setNanos(250_000_000))
        .build();

    Any any = Any.pack(cluster);

    assertThat(any.getTypeUrl()).isEqualTo("type.googleapis.com/envoy.config.cluster.v3.Cluster");
    assertThat(Cluster.parseFrom(any.getValue())).isEqualTo(cluster);
    assertThat(any.unpack(Cluster.class).getConnectTimeout().getNanos()).isEqualTo(250_000_000);
  }

  @Test
  void clusterLoadAssignment_withLocalityPriorities_roundTrips() throws Exception {
    ClusterLoadAssignment cla = ClusterLoadAssignment.newBuilder()
        .setClusterName("payments")
        .addEndpoints(locality("jakarta", 0, 100, "10.0.0.1"))
        .addEndpoints(locality("alibaba-sg", 1, 60, "10.1.0.1"))
        .build();

    ClusterLoadAssignment parsed = ClusterLoadAssignment.parseFrom(cla.toByteArray());

    assertThat(parsed).isEqualTo(cla);
    assertThat(parsed.getEndpoints(1).getLocality().getZone()).isEqualTo("alibaba-sg");
    assertThat(parsed.getEndpoints(1).getPriority()).isEqualTo(1);
  }

  @Test
  void latencyRow_roundTrips() throws Exception {
    LatencyRow row = LatencyRow.newBuilder()
        .setSourceSite("jakarta")
        .addEstimates(LinkEstimate.newBuilder().setTargetSite("alibaba-sg").setPath("leased-line")
            .setRttP50(Duration.newBuilder().setNanos(12_000_000)).setLossRatio(0.01))
        .build();

    assertThat(LatencyRow.parseFrom(row.toByteString())).isEqualTo(row);
  }

  private static LocalityLbEndpoints locality(String site, int priority, int weight, String ip) {
    return LocalityLbEndpoints.newBuilder()
        .setLocality(Locality.newBuilder().setRegion("ap-southeast").setZone(site))
        .setPriority(priority)
        .setLoadBalancingWeight(com.google.protobuf.UInt32Value.of(weight))
        .addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder()
            .setAddress(Address.newBuilder().setSocketAddress(
                SocketAddress.newBuilder().setAddress(ip).setPortValue(8080)))))
        .build();
  }
}
