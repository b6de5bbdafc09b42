package dev.selat.xds;

import static dev.selat.xds.InProcessXds.GROUP;
import static dev.selat.xds.InProcessXds.NODE;
import static dev.selat.xds.InProcessXds.ack;
import static dev.selat.xds.InProcessXds.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Random publishes (clusters and endpoints added, changed, removed) against clients that ACK
 * everything: after each one, what the client holds equals the snapshot, whichever path (scan or
 * precomputed change) the server took.
 */
class ConvergenceTest {
  private static final int ROUNDS = 100;
  private static final int CLUSTERS = 12;

  @AutoClose
  private final InProcessXds xds = new InProcessXds();
  private final Random random = new Random(20261126);


  @Test
  void sotwClient_randomPublishes_holdsEverySnapshot() {
    var stream = xds.sotw().send(request(TypeUrls.CLUSTER));
    Map<String, Any> clusters = new TreeMap<>();
    Map<String, Any> endpoints = new HashMap<>();
    List<String> subscribed = List.of();
    DiscoveryResponse lastEndpoints = null;
    int answered = 0;
    for (int round = 0; round < ROUNDS; round++) {
      ResourceSnapshot snapshot = randomSnapshot();
      xds.server.publishAllowingEmpty(GROUP, snapshot);
      while (answered < stream.responses.size()) {
        DiscoveryResponse r = stream.responses.get(answered++);
        if (r.getTypeUrl().equals(TypeUrls.CLUSTER)) {
          clusters.clear();
          r.getResourcesList().forEach(any -> clusters.put(InProcessXds.nameOf(TypeUrls.CLUSTER, any), any));
          subscribed = List.copyOf(clusters.keySet());
          stream.send(lastEndpoints == null
              ? DiscoveryRequest.newBuilder().setTypeUrl(TypeUrls.ENDPOINT).addAllResourceNames(subscribed).build()
              : ack(lastEndpoints, subscribed.toArray(String[]::new)));
          stream.send(ack(r));
        } else {
          lastEndpoints = r;
          r.getResourcesList().forEach(any -> endpoints.put(InProcessXds.nameOf(TypeUrls.ENDPOINT, any), any));
          stream.send(ack(r, subscribed.toArray(String[]::new)));
        }
      }
      assertThat(clusters).as("round %d clusters", round).isEqualTo(anys(snapshot, TypeUrls.CLUSTER));
      Map<String, Any> expected = anys(snapshot, TypeUrls.ENDPOINT);
      for (String name : subscribed) {
        assertThat(endpoints.get(name)).as("round %d endpoints of %s", round, name).isEqualTo(expected.get(name));
      }
    }
  }

  @Test
  void deltaClient_randomPublishes_holdsEverySnapshot() {
    var stream = xds.delta();
    stream.send(DeltaDiscoveryRequest.newBuilder().setNode(NODE).setTypeUrl(TypeUrls.CLUSTER).build());
    stream.send(DeltaDiscoveryRequest.newBuilder().setTypeUrl(TypeUrls.ENDPOINT).addResourceNamesSubscribe("*").build());
    Map<String, Map<String, Any>> held = Map.of(TypeUrls.CLUSTER, new TreeMap<>(), TypeUrls.ENDPOINT, new TreeMap<>());
    int answered = 0;
    for (int round = 0; round < ROUNDS; round++) {
      ResourceSnapshot snapshot = randomSnapshot();
      xds.server.publishAllowingEmpty(GROUP, snapshot);
      while (answered < stream.responses.size()) {
        DeltaDiscoveryResponse r = stream.responses.get(answered++);
        Map<String, Any> view = held.get(r.getTypeUrl());
        for (Resource resource : r.getResourcesList()) {
          view.put(resource.getName(), resource.getResource());
        }
        r.getRemovedResourcesList().forEach(view::remove);
        stream.send(InProcessXds.deltaAck(r));
      }
      assertThat(held.get(TypeUrls.CLUSTER)).as("round %d clusters", round).isEqualTo(anys(snapshot, TypeUrls.CLUSTER));
      assertThat(held.get(TypeUrls.ENDPOINT)).as("round %d endpoints", round).isEqualTo(anys(snapshot, TypeUrls.ENDPOINT));
    }
  }

  private Map<String, Any> anys(ResourceSnapshot snapshot, String typeUrl) {
    Map<String, Any> out = new TreeMap<>();
    snapshot.resources(typeUrl).forEach((name, r) -> out.put(name, r.resource()));
    return out;
  }

  private final Map<String, Integer> timeouts = new HashMap<>();
  private final Map<String, Integer> ports = new HashMap<>();

  /** Each cluster may appear, vanish or change; its endpoints may change on their own. */
  private ResourceSnapshot randomSnapshot() {
    ResourceSnapshot.Builder b = ResourceSnapshot.builder();
    for (int i = 0; i < CLUSTERS; i++) {
      String name = "c" + i;
      if (random.nextInt(4) == 0) {
        if (timeouts.remove(name) == null) {
          timeouts.put(name, 1);
          ports.put(name, 1000 + i);
        }
      } else if (timeouts.containsKey(name) && random.nextInt(4) == 0) {
        timeouts.merge(name, 1, Integer::sum);
      }
      if (timeouts.containsKey(name)) {
        if (random.nextInt(3) == 0) {
          ports.merge(name, 100, Integer::sum);
        }
        b.cluster(Resources.edsCluster(name).toBuilder()
            .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(timeouts.get(name))).build());
        b.endpoints(Resources.endpoints(name, ports.get(name)));
      }
    }
    return b.build();
  }
}
