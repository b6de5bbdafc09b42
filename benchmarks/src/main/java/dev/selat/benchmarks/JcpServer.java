package dev.selat.benchmarks;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The peer: java-control-plane's V3DiscoveryServer over a SimpleCache grouped by node cluster, as its
 * README sets it up. Each type gets its own version, so an endpoint update leaves CDS alone (the
 * kindest setup for the peer: one snapshot-wide version would resend every cluster too).
 */
final class JcpServer implements BenchServer {
  private final Workload workload;
  private final SimpleCache<String> cache = new SimpleCache<>(node -> node.getCluster());
  private final Server server;
  private final List<Cluster> clusters;
  private final Map<String, ClusterLoadAssignment[]> assignments = new HashMap<>();
  private long endpointVersion;

  JcpServer(Workload workload) throws IOException {
    this.workload = workload;
    this.clusters = workload.clusterResources();
    for (String group : workload.groups()) {
      ClusterLoadAssignment[] cla = new ClusterLoadAssignment[workload.clusters()];
      for (int i = 0; i < cla.length; i++) {
        cla[i] = workload.assignment(group, i, 0);
      }
      assignments.put(group, cla);
      publish(group);
    }
    V3DiscoveryServer discovery = new V3DiscoveryServer(cache);
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(discovery.getAggregatedDiscoveryServiceImpl())
        .build()
        .start();
  }

  @Override
  public int port() {
    return server.getPort();
  }

  @Override
  public void update(int cluster, int marker) {
    endpointVersion++;
    for (String group : workload.groups()) {
      assignments.get(group)[cluster] = workload.assignment(group, cluster, marker);
      publish(group);
    }
  }

  private void publish(String group) {
    cache.setSnapshot(group, Snapshot.create(
        clusters, "clusters-1",
        List.of(assignments.get(group)), "endpoints-" + endpointVersion,
        List.of(), "listeners-1",
        List.of(), "routes-1",
        List.of(), "secrets-1"));
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
