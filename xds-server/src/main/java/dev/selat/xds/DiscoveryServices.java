package dev.selat.xds;

import io.envoyproxy.envoy.service.cluster.v3.ClusterDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.endpoint.v3.EndpointDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.listener.v3.ListenerDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.route.v3.RouteDiscoveryServiceGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;

/**
 * The ADS and per-type gRPC services (their streaming methods; the unary Fetch methods answer
 * UNIMPLEMENTED); each call becomes one admitted {@link XdsStream}.
 */
final class DiscoveryServices {
  /** One service: its SotW and Delta methods, its metric tag, and its type (null for ADS: any). */
  private record Service(
      String name,
      MethodDescriptor<DiscoveryRequest, DiscoveryResponse> sotw,
      MethodDescriptor<DeltaDiscoveryRequest, DeltaDiscoveryResponse> delta,
      String tag,
      String typeUrl) {}

  private static final List<Service> SERVICES = List.of(
      new Service(AggregatedDiscoveryServiceGrpc.SERVICE_NAME,
          AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod(),
          AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod(), "ads", null),
      new Service(ClusterDiscoveryServiceGrpc.SERVICE_NAME,
          ClusterDiscoveryServiceGrpc.getStreamClustersMethod(),
          ClusterDiscoveryServiceGrpc.getDeltaClustersMethod(), "cds", TypeUrls.CLUSTER),
      new Service(EndpointDiscoveryServiceGrpc.SERVICE_NAME,
          EndpointDiscoveryServiceGrpc.getStreamEndpointsMethod(),
          EndpointDiscoveryServiceGrpc.getDeltaEndpointsMethod(), "eds", TypeUrls.ENDPOINT),
      new Service(ListenerDiscoveryServiceGrpc.SERVICE_NAME,
          ListenerDiscoveryServiceGrpc.getStreamListenersMethod(),
          ListenerDiscoveryServiceGrpc.getDeltaListenersMethod(), "lds", TypeUrls.LISTENER),
      new Service(RouteDiscoveryServiceGrpc.SERVICE_NAME,
          RouteDiscoveryServiceGrpc.getStreamRoutesMethod(),
          RouteDiscoveryServiceGrpc.getDeltaRoutesMethod(), "rds", TypeUrls.ROUTE));

  private final StreamContext ctx;

  DiscoveryServices(StreamContext ctx) {
    this.ctx = ctx;
  }

  List<ServerServiceDefinition> all() {
    return SERVICES.stream().map(this::definition).toList();
  }

  private ServerServiceDefinition definition(Service service) {
    return ServerServiceDefinition.builder(service.name())
        .addMethod(service.sotw(), ServerCalls.asyncBidiStreamingCall(out -> admitted(out)
            ? new SotwStream(ctx, (ServerCallStreamObserver<DiscoveryResponse>) out, service.tag(),
                service.typeUrl(), ClientCertificates.current())
            : ignoring()))
        .addMethod(service.delta(), ServerCalls.asyncBidiStreamingCall(out -> admitted(out)
            ? new DeltaStream(ctx, (ServerCallStreamObserver<DeltaDiscoveryResponse>) out, service.tag(),
                service.typeUrl(), ClientCertificates.current())
            : ignoring()))
        .build();
  }

  /** Takes an admission slot, or refuses the call with RESOURCE_EXHAUSTED. */
  private boolean admitted(StreamObserver<?> out) {
    Optional<String> refusal = ctx.admission().tryAdmit();
    refusal.ifPresent(reason -> {
      ctx.metrics().rejected(reason);
      out.onError(Status.RESOURCE_EXHAUSTED
          .withDescription("xDS stream refused: " + reason + " stream limit reached, retry with backoff")
          .asRuntimeException());
    });
    return refusal.isEmpty();
  }

  private static <T> StreamObserver<T> ignoring() {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }
}
