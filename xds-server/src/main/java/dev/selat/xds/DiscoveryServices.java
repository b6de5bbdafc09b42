package dev.selat.xds;

import io.envoyproxy.envoy.service.cluster.v3.ClusterDiscoveryServiceGrpc.ClusterDiscoveryServiceImplBase;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.endpoint.v3.EndpointDiscoveryServiceGrpc.EndpointDiscoveryServiceImplBase;
import io.envoyproxy.envoy.service.listener.v3.ListenerDiscoveryServiceGrpc.ListenerDiscoveryServiceImplBase;
import io.envoyproxy.envoy.service.route.v3.RouteDiscoveryServiceGrpc.RouteDiscoveryServiceImplBase;
import io.grpc.BindableService;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;

/** The ADS and per-type gRPC services; each call becomes one admitted {@link XdsStream}. */
final class DiscoveryServices {
  private final StreamContext ctx;

  DiscoveryServices(StreamContext ctx) {
    this.ctx = ctx;
  }

  List<BindableService> all() {
    return List.of(
        new AggregatedDiscoveryServiceImplBase() {
          @Override
          public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> out) {
            return sotw(out, "ads", null);
          }

          @Override
          public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
              StreamObserver<DeltaDiscoveryResponse> out) {
            return delta(out, "ads", null);
          }
        },
        new ClusterDiscoveryServiceImplBase() {
          @Override
          public StreamObserver<DiscoveryRequest> streamClusters(StreamObserver<DiscoveryResponse> out) {
            return sotw(out, "cds", TypeUrls.CLUSTER);
          }

          @Override
          public StreamObserver<DeltaDiscoveryRequest> deltaClusters(StreamObserver<DeltaDiscoveryResponse> out) {
            return delta(out, "cds", TypeUrls.CLUSTER);
          }
        },
        new EndpointDiscoveryServiceImplBase() {
          @Override
          public StreamObserver<DiscoveryRequest> streamEndpoints(StreamObserver<DiscoveryResponse> out) {
            return sotw(out, "eds", TypeUrls.ENDPOINT);
          }

          @Override
          public StreamObserver<DeltaDiscoveryRequest> deltaEndpoints(StreamObserver<DeltaDiscoveryResponse> out) {
            return delta(out, "eds", TypeUrls.ENDPOINT);
          }
        },
        new ListenerDiscoveryServiceImplBase() {
          @Override
          public StreamObserver<DiscoveryRequest> streamListeners(StreamObserver<DiscoveryResponse> out) {
            return sotw(out, "lds", TypeUrls.LISTENER);
          }

          @Override
          public StreamObserver<DeltaDiscoveryRequest> deltaListeners(StreamObserver<DeltaDiscoveryResponse> out) {
            return delta(out, "lds", TypeUrls.LISTENER);
          }
        },
        new RouteDiscoveryServiceImplBase() {
          @Override
          public StreamObserver<DiscoveryRequest> streamRoutes(StreamObserver<DiscoveryResponse> out) {
            return sotw(out, "rds", TypeUrls.ROUTE);
          }

          @Override
          public StreamObserver<DeltaDiscoveryRequest> deltaRoutes(StreamObserver<DeltaDiscoveryResponse> out) {
            return delta(out, "rds", TypeUrls.ROUTE);
          }
        });
  }

  private StreamObserver<DiscoveryRequest> sotw(StreamObserver<DiscoveryResponse> out, String service, String typeUrl) {
    if (refused(out)) {
      return ignoring();
    }
    return new SotwStream(ctx, (ServerCallStreamObserver<DiscoveryResponse>) out, service, typeUrl,
        ClientCertificates.current());
  }

  private StreamObserver<DeltaDiscoveryRequest> delta(
      StreamObserver<DeltaDiscoveryResponse> out, String service, String typeUrl) {
    if (refused(out)) {
      return ignoring();
    }
    return new DeltaStream(ctx, (ServerCallStreamObserver<DeltaDiscoveryResponse>) out, service, typeUrl,
        ClientCertificates.current());
  }

  private boolean refused(StreamObserver<?> out) {
    Optional<String> refusal = ctx.admission().tryAdmit();
    refusal.ifPresent(reason -> {
      ctx.metrics().rejected(reason);
      out.onError(Status.RESOURCE_EXHAUSTED
          .withDescription("xDS stream refused: " + reason + " stream limit reached, retry with backoff")
          .asRuntimeException());
    });
    return refusal.isPresent();
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
