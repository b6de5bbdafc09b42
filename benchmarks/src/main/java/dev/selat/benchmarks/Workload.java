package dev.selat.benchmarks;

import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's resources: per group (site), {@code clusters} EDS clusters of {@code endpointsPerCluster}
 * endpoints spread over the sites' localities, the group's own site at priority 0. Update {@code k}
 * changes the endpoints of one cluster: its first endpoint's port becomes {@code BASE_PORT + k}, which is
 * how clients recognise that update k reached them. Immutable; both JVMs build the same names.
 */
record Workload(List<String> groups, int clusters, int endpointsPerCluster) {
  static final List<String> SITES = List.of("jakarta", "alibaba-sg", "aws-sg");
  static final int BASE_PORT = 20_000;
  private static final int MAX_MARKER = 65_535 - BASE_PORT;

  Workload {
    groups = List.copyOf(groups);
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("groups: at least one");
    }
    if (clusters < 1 || clusters > 10_000) {
      throw new IllegalArgumentException("clusters: 1..10000, got " + clusters);
    }
    if (endpointsPerCluster < 1) {
      throw new IllegalArgumentException("endpointsPerCluster: >= 1, got " + endpointsPerCluster);
    }
  }

  static Workload standard(int clusters) {
    return new Workload(SITES, clusters, 10);
  }

  static String clusterName(int index) {
    return String.format("svc-%04d", index);
  }

  /** What part 1's clients subscribe to: every cluster in every group, the marker in the first endpoint's port. */
  Fleet.Subscription subscription() {
    return new Fleet.Subscription(groups, clusterNames(), Workload::markerOf);
  }

  List<String> clusterNames() {
    List<String> names = new ArrayList<>(clusters);
    for (int i = 0; i < clusters; i++) {
      names.add(clusterName(i));
    }
    return names;
  }

  /** The cluster update {@code k} changes (k >= 1); consecutive updates touch different clusters. */
  int changedCluster(int update) {
    return (int) ((update * 7919L) % clusters);
  }

  /** The marker an update carries; it cycles so ports stay valid over long runs. */
  static int marker(int update) {
    return 1 + (update - 1) % MAX_MARKER;
  }

  List<Cluster> clusterResources() {
    ConfigSource ads = ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();
    List<Cluster> out = new ArrayList<>(clusters);
    for (int i = 0; i < clusters; i++) {
      out.add(Cluster.newBuilder()
          .setName(clusterName(i))
          .setType(Cluster.DiscoveryType.EDS)
          .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads))
          .setConnectTimeout(Duration.newBuilder().setNanos(250_000_000))
          .build());
    }
    return out;
  }

  /** Cluster {@code index}'s endpoints as group {@code group} sees them, carrying {@code marker} (0: never updated). */
  ClusterLoadAssignment assignment(String group, int index, int marker) {
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(clusterName(index));
    int local = Math.max(0, SITES.indexOf(group));
    int endpoint = 0;
    for (int s = 0; s < SITES.size(); s++) {
      LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder()
          .setLocality(Locality.newBuilder().setRegion("ap-southeast").setZone(SITES.get(s)))
          .setPriority(s == local ? 0 : 1);
      int here = endpointsPerCluster / SITES.size() + (s < endpointsPerCluster % SITES.size() ? 1 : 0);
      for (int e = 0; e < here; e++, endpoint++) {
        int port = endpoint == 0 ? BASE_PORT + marker : 8080;
        locality.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(
            Address.newBuilder().setSocketAddress(SocketAddress.newBuilder()
                .setAddress("10." + s + "." + (index >> 8) + "." + ((index & 0xff) ^ endpoint))
                .setPortValue(port)))));
      }
      cla.addEndpoints(locality);
    }
    return cla.build();
  }

  /** The marker carried by an assignment this workload built. */
  static int markerOf(ClusterLoadAssignment cla) {
    return cla.getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress().getPortValue()
        - BASE_PORT;
  }
}
