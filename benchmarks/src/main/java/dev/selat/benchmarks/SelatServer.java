package dev.selat.benchmarks;

import dev.selat.xds.ResourceSnapshot;
import dev.selat.xds.VersionedResource;
import dev.selat.xds.XdsServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Selat's xds-server with its production defaults. Unchanged resources keep their
 * {@link VersionedResource} (serialized once), as the control plane does; an update serializes the
 * changed cluster's endpoints once per group.
 */
final class SelatServer implements BenchServer {
  private final Workload workload;
  private final XdsServer server;
  private final List<VersionedResource> clusters;
  private final Map<String, VersionedResource[]> assignments = new HashMap<>();

  SelatServer(Workload workload) throws IOException {
    this.workload = workload;
    this.clusters = workload.clusterResources().stream().map(c -> VersionedResource.of(c.getName(), c)).toList();
    this.server = XdsServer.builder()
        .address(new InetSocketAddress("127.0.0.1", 0))
        .meterRegistry(new SimpleMeterRegistry())
        .start();
    for (String group : workload.groups()) {
      VersionedResource[] cla = new VersionedResource[workload.clusters()];
      for (int i = 0; i < cla.length; i++) {
        cla[i] = VersionedResource.of(Workload.clusterName(i), workload.assignment(group, i, 0));
      }
      assignments.put(group, cla);
      publish(group);
    }
  }

  @Override
  public int port() {
    return server.port();
  }

  @Override
  public void update(int cluster, int marker) {
    for (String group : workload.groups()) {
      assignments.get(group)[cluster] =
          VersionedResource.of(Workload.clusterName(cluster), workload.assignment(group, cluster, marker));
      publish(group);
    }
  }

  private void publish(String group) {
    ResourceSnapshot.Builder snapshot = ResourceSnapshot.builder();
    clusters.forEach(snapshot::add);
    for (VersionedResource cla : assignments.get(group)) {
      snapshot.add(cla);
    }
    server.publish(group, snapshot.build());
  }

  @Override
  public void close() {
    server.close();
  }
}
