package dev.selat.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import dev.selat.testkit.FakeClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * An in-process server and channel on direct executors with a fake clock: every call runs to
 * completion before it returns, so tests read responses right after sending a request.
 */
final class InProcessXds implements AutoCloseable {
  static final Node NODE = Node.newBuilder().setId("envoy-1").setCluster("jakarta").build();
  static final String GROUP = "jakarta";

  final FakeClock clock = new FakeClock();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final XdsServer server;
  final ManagedChannel channel;

  InProcessXds() {
    this(UnaryOperator.identity());
  }

  InProcessXds(UnaryOperator<XdsServer.Builder> options) {
    String name = "xds-" + UUID.randomUUID();
    try {
      server = options.apply(XdsServer.builder()
              .inProcess(name)
              .executor(Runnable::run)
              .clock(clock)
              .meterRegistry(registry))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub ads() {
    return AggregatedDiscoveryServiceGrpc.newStub(channel);
  }

  RecordingStream<DiscoveryRequest, DiscoveryResponse> sotw() {
    return RecordingStream.open(ads()::streamAggregatedResources);
  }

  RecordingStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> delta() {
    return RecordingStream.open(ads()::deltaAggregatedResources);
  }

  double counter(String name, String type) {
    return registry.find(name).tag("type", type).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  static DiscoveryRequest request(String typeUrl, String... names) {
    return DiscoveryRequest.newBuilder().setNode(NODE).setTypeUrl(typeUrl).addAllResourceNames(List.of(names)).build();
  }

  /** The ACK of {@code response}, still subscribed to {@code names} (no node: only the first request has it). */
  static DiscoveryRequest ack(DiscoveryResponse response, String... names) {
    return DiscoveryRequest.newBuilder()
        .setTypeUrl(response.getTypeUrl())
        .setVersionInfo(response.getVersionInfo())
        .setResponseNonce(response.getNonce())
        .addAllResourceNames(List.of(names))
        .build();
  }

  static DiscoveryRequest nack(DiscoveryResponse response, String ackedVersion, String... names) {
    return DiscoveryRequest.newBuilder()
        .setTypeUrl(response.getTypeUrl())
        .setVersionInfo(ackedVersion)
        .setResponseNonce(response.getNonce())
        .addAllResourceNames(List.of(names))
        .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3).setMessage("rejected by test"))
        .build();
  }

  static DeltaDiscoveryRequest deltaAck(DeltaDiscoveryResponse response) {
    return DeltaDiscoveryRequest.newBuilder().setTypeUrl(response.getTypeUrl()).setResponseNonce(response.getNonce()).build();
  }

  /** Resource names in a SotW response, in order. */
  static List<String> names(DiscoveryResponse response) {
    return response.getResourcesList().stream().map(any -> nameOf(response.getTypeUrl(), any)).toList();
  }

  static List<String> names(DeltaDiscoveryResponse response) {
    return response.getResourcesList().stream().map(Resource::getName).toList();
  }

  static String nameOf(String typeUrl, com.google.protobuf.Any any) {
    try {
      return switch (typeUrl) {
        case TypeUrls.CLUSTER -> any.unpack(Cluster.class).getName();
        case TypeUrls.ENDPOINT -> any.unpack(ClusterLoadAssignment.class).getClusterName();
        case TypeUrls.LISTENER -> any.unpack(Listener.class).getName();
        case TypeUrls.ROUTE -> any.unpack(RouteConfiguration.class).getName();
        default -> throw new IllegalArgumentException("type_url: not a core type " + typeUrl);
      };
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.close();
  }
}
