package dev.selat.benchmarks;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.BitSet;

/**
 * One simulated Envoy on one ADS stream, SotW or Delta, behaving as Envoy does: it asks for every
 * cluster (CDS wildcard), ACKs, then subscribes to the endpoints of all of them by name (EDS), and
 * ACKs every response with its version and nonce (SotW ACKs repeat the subscribed names). Every
 * request carries the node, as Envoy's SotW does by default; Delta Envoys send it only first, but
 * java-control-plane's SimpleCache groups each request by its own node and would serve none. It reports
 * to its {@link Fleet} when it first holds everything (served) and when the update the fleet waits
 * for arrives (after sending that response's ACK). On an error it reconnects after a jittered backoff.
 *
 * <p>Threading: response callbacks run serially on the channel's transport thread; reconnects are
 * scheduled on the fleet's scheduler only after the previous stream ended.
 */
final class AdsClient {
  static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  private final Fleet fleet;
  private final ManagedChannel channel;
  private final boolean delta;
  private final Node node;
  private final DiscoveryRequest sotwCds;
  private final DiscoveryRequest sotwEds;
  private StreamObserver<Object> requests;
  private ClientCallStreamObserver<?> call;
  private BitSet heldEndpoints;
  private boolean clustersHeld;
  private boolean edsRequested;
  private boolean served;
  private int lastReached;
  private int failures;

  AdsClient(Fleet fleet, int id, ManagedChannel channel, boolean delta, String group) {
    this.fleet = fleet;
    this.channel = channel;
    this.delta = delta;
    this.node = Node.newBuilder().setId("bench-" + id).setCluster(group)
        .setLocality(Locality.newBuilder().setZone(group)).build();
    this.sotwCds = DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS).build();
    this.sotwEds = DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(EDS)
        .addAllResourceNames(fleet.clusterNames()).build();
  }

  /** Opens a fresh stream holding nothing, and asks for clusters. */
  @SuppressWarnings("unchecked")
  void start() {
    heldEndpoints = new BitSet(fleet.clusterNames().size());
    clustersHeld = false;
    edsRequested = false;
    AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub =
        AggregatedDiscoveryServiceGrpc.newStub(channel);
    if (delta) {
      requests = (StreamObserver<Object>) (StreamObserver<?>) stub.deltaAggregatedResources(
          new Responses<DeltaDiscoveryRequest, DeltaDiscoveryResponse>(this::onDelta));
      requests.onNext(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS).build());
    } else {
      requests = (StreamObserver<Object>) (StreamObserver<?>) stub.streamAggregatedResources(
          new Responses<DiscoveryRequest, DiscoveryResponse>(this::onSotw));
      requests.onNext(sotwCds);
    }
  }

  /** Ends the stream (the fleet is closing). */
  void cancel() {
    ClientCallStreamObserver<?> c = call;
    if (c != null) {
      c.cancel("benchmark over", null);
    }
  }

  private void onSotw(DiscoveryResponse response) {
    fleet.received(response.getSerializedSize());
    boolean reached = false;
    if (CDS.equals(response.getTypeUrl())) {
      clustersHeld = response.getResourcesCount() >= fleet.clusterNames().size();
      requests.onNext(sotwCds.toBuilder().setVersionInfo(response.getVersionInfo())
          .setResponseNonce(response.getNonce()).build());
      if (!edsRequested) {
        edsRequested = true;
        requests.onNext(sotwEds);
      }
    } else if (EDS.equals(response.getTypeUrl())) {
      Fleet.Target target = fleet.target();
      for (int i = 0; i < response.getResourcesCount(); i++) {
        ByteString value = response.getResources(i).getValue();
        if (!served) {
          heldEndpoints.set(fleet.clusterIndex(firstStringField(value)));
        }
        reached |= target != null && value.startsWith(target.namePrefix()) && markerOf(value) == target.marker();
      }
      requests.onNext(sotwEds.toBuilder().setVersionInfo(response.getVersionInfo())
          .setResponseNonce(response.getNonce()).build());
    }
    afterAck(reached);
  }

  private void onDelta(DeltaDiscoveryResponse response) {
    fleet.received(response.getSerializedSize());
    boolean reached = false;
    if (CDS.equals(response.getTypeUrl())) {
      clustersHeld = clustersHeld || response.getResourcesCount() >= fleet.clusterNames().size();
      requests.onNext(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS).setResponseNonce(response.getNonce()).build());
      if (!edsRequested) {
        edsRequested = true;
        requests.onNext(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(EDS)
            .addAllResourceNamesSubscribe(fleet.clusterNames()).build());
      }
    } else if (EDS.equals(response.getTypeUrl())) {
      Fleet.Target target = fleet.target();
      for (Resource r : response.getResourcesList()) {
        if (!served) {
          heldEndpoints.set(fleet.clusterIndex(r.getName()));
        }
        reached |= target != null && r.getName().equals(target.cluster())
            && markerOf(r.getResource().getValue()) == target.marker();
      }
      requests.onNext(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(EDS).setResponseNonce(response.getNonce()).build());
    }
    afterAck(reached);
  }

  private void afterAck(boolean reachedTarget) {
    long now = System.nanoTime();
    if (!served && clustersHeld && heldEndpoints.cardinality() == fleet.clusterNames().size()) {
      served = true;
      heldEndpoints = null; // nothing needs it any more; 10,000 clients should not keep it
      fleet.served(now);
    }
    Fleet.Target target = fleet.target();
    if (reachedTarget && target != null && lastReached != target.update()) {
      lastReached = target.update();
      fleet.reached(target.update(), now);
    }
  }

  private void onError(Throwable t) {
    fleet.failed(Status.fromThrowable(t).getCode());
    if (fleet.isOpen()) {
      failures++;
      fleet.reconnectLater(this, failures);
    }
  }

  /** The first field of a serialized message when it is a string: the name of a Cluster or ClusterLoadAssignment. */
  static String firstStringField(ByteString message) {
    try {
      CodedInputStream in = message.newCodedInput();
      if (in.readTag() != ((1 << 3) | 2)) {
        throw new IllegalArgumentException("resource: first field is not a name");
      }
      return in.readStringRequireUtf8();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private int markerOf(ByteString assignment) {
    try {
      return fleet.markerOf(ClusterLoadAssignment.parseFrom(assignment));
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The stream's response side; it hands responses to the client, errors to its reconnect logic. */
  private final class Responses<Q, R> implements ClientResponseObserver<Q, R> {
    private final java.util.function.Consumer<R> handler;

    Responses(java.util.function.Consumer<R> handler) {
      this.handler = handler;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
      call = requestStream;
    }

    @Override
    public void onNext(R response) {
      handler.accept(response);
    }

    @Override
    public void onError(Throwable t) {
      AdsClient.this.onError(t);
    }

    @Override
    public void onCompleted() {
      AdsClient.this.onError(Status.UNAVAILABLE.withDescription("server completed the stream").asException());
    }
  }
}
