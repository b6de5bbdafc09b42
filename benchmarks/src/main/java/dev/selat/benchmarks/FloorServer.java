package dev.selat.benchmarks;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The raw floor: plain grpc-java writing pre-serialized ADS responses. An update serializes one
 * response per group and protocol (the changed ClusterLoadAssignment and nothing else, which is all
 * SotW EDS and Delta require) and writes those same bytes to every subscribed stream. It keeps no
 * per-stream state beyond "subscribed" and a queue of what the transport was not ready for, and
 * ignores ACKs: the cost of fan-out itself, not a server anyone should run.
 */
final class FloorServer implements BenchServer {
  private static final String CDS = AdsClient.CDS;
  private static final String EDS = AdsClient.EDS;

  private final Workload workload;
  private final Map<String, Group> groups = new HashMap<>();
  private final Server server;
  private long version;

  FloorServer(Workload workload) throws IOException {
    this.workload = workload;
    List<Any> clusters = workload.clusterResources().stream().map(Any::pack).toList();
    for (String group : workload.groups()) {
      ClusterLoadAssignment[] cla = new ClusterLoadAssignment[workload.clusters()];
      for (int i = 0; i < cla.length; i++) {
        cla[i] = workload.assignment(group, i, 0);
      }
      groups.put(group, new Group(clusters, cla));
    }
    MethodDescriptor<DiscoveryRequest, byte[]> sotw = AggregatedDiscoveryServiceGrpc
        .getStreamAggregatedResourcesMethod()
        .toBuilder(ProtoUtils.marshaller(DiscoveryRequest.getDefaultInstance()), new RawMarshaller())
        .build();
    MethodDescriptor<DeltaDiscoveryRequest, byte[]> delta = AggregatedDiscoveryServiceGrpc
        .getDeltaAggregatedResourcesMethod()
        .toBuilder(ProtoUtils.marshaller(DeltaDiscoveryRequest.getDefaultInstance()), new RawMarshaller())
        .build();
    ServerServiceDefinition ads = ServerServiceDefinition.builder(AggregatedDiscoveryServiceGrpc.SERVICE_NAME)
        .addMethod(sotw, ServerCalls.asyncBidiStreamingCall(out -> new Stream<DiscoveryRequest>(out, false) {
          @Override
          void onRequest(DiscoveryRequest request) {
            subscribe(request.getNode().getCluster(), request.getTypeUrl());
          }
        }))
        .addMethod(delta, ServerCalls.asyncBidiStreamingCall(out -> new Stream<DeltaDiscoveryRequest>(out, true) {
          @Override
          void onRequest(DeltaDiscoveryRequest request) {
            subscribe(request.getNode().getCluster(), request.getTypeUrl());
          }
        }))
        .build();
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ads)
        .build()
        .start();
  }

  @Override
  public int port() {
    return server.getPort();
  }

  @Override
  public void update(int cluster, int marker) {
    String v = Long.toString(++version);
    for (String name : workload.groups()) {
      Group group = groups.get(name);
      ClusterLoadAssignment changed = workload.assignment(name, cluster, marker);
      group.replace(cluster, changed);
      byte[] sotw = DiscoveryResponse.newBuilder().setVersionInfo(v).setTypeUrl(EDS).setNonce(v)
          .addResources(Any.pack(changed)).build().toByteArray();
      byte[] delta = DeltaDiscoveryResponse.newBuilder().setSystemVersionInfo(v).setTypeUrl(EDS).setNonce(v)
          .addResources(Resource.newBuilder().setName(changed.getClusterName()).setVersion(v)
              .setResource(Any.pack(changed)))
          .build().toByteArray();
      for (Stream<?> s : group.sotwSubscribers) {
        s.write(sotw);
      }
      for (Stream<?> s : group.deltaSubscribers) {
        s.write(delta);
      }
    }
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

  /** One group's resources and EDS subscribers; full-state responses are serialized once per version. */
  private static final class Group {
    final Set<Stream<?>> sotwSubscribers = ConcurrentHashMap.newKeySet();
    final Set<Stream<?>> deltaSubscribers = ConcurrentHashMap.newKeySet();
    private final List<Any> clusters;
    private final ClusterLoadAssignment[] assignments;
    private byte[] sotwCds;
    private byte[] deltaCds;
    private byte[] sotwEds;
    private byte[] deltaEds;

    Group(List<Any> clusters, ClusterLoadAssignment[] assignments) {
      this.clusters = clusters;
      this.assignments = assignments;
    }

    synchronized void replace(int index, ClusterLoadAssignment cla) {
      assignments[index] = cla;
      sotwEds = null;
      deltaEds = null;
    }

    synchronized byte[] initial(String typeUrl, boolean delta) {
      if (CDS.equals(typeUrl)) {
        if (sotwCds == null) {
          sotwCds = sotw(CDS, clusters);
          deltaCds = delta(CDS, clusters);
        }
        return delta ? deltaCds : sotwCds;
      }
      if (sotwEds == null) {
        List<Any> all = java.util.Arrays.stream(assignments).map(Any::pack).toList();
        sotwEds = sotw(EDS, all);
        deltaEds = delta(EDS, all);
      }
      return delta ? deltaEds : sotwEds;
    }

    private static byte[] sotw(String typeUrl, List<Any> resources) {
      return DiscoveryResponse.newBuilder().setVersionInfo("0").setTypeUrl(typeUrl).setNonce("0")
          .addAllResources(resources).build().toByteArray();
    }

    private static byte[] delta(String typeUrl, List<Any> resources) {
      DeltaDiscoveryResponse.Builder out = DeltaDiscoveryResponse.newBuilder()
          .setSystemVersionInfo("0").setTypeUrl(typeUrl).setNonce("0");
      for (Any r : resources) {
        // Resource names are the first field of both Cluster and ClusterLoadAssignment.
        out.addResources(Resource.newBuilder().setName(AdsClient.firstStringField(r.getValue()))
            .setVersion("0").setResource(r));
      }
      return out.build().toByteArray();
    }
  }

  /**
   * One ADS stream: answers the first request of each type with the full state, then only updates.
   * Writes only while the transport is ready and queues the rest (references to shared bytes), so
   * 10,000 initial states do not pile up in direct memory.
   */
  private abstract class Stream<Q> implements StreamObserver<Q> {
    private final ServerCallStreamObserver<byte[]> out;
    private final boolean delta;
    private final ArrayDeque<byte[]> queued = new ArrayDeque<>();
    private Group group;
    private boolean cdsSent;
    private boolean edsSent;

    Stream(StreamObserver<byte[]> out, boolean delta) {
      this.out = (ServerCallStreamObserver<byte[]>) out;
      this.delta = delta;
      this.out.setOnReadyHandler(this::drain);
    }

    abstract void onRequest(Q request);

    @Override
    public void onNext(Q request) {
      onRequest(request);
    }

    /** Runs on the stream's serial request callbacks. */
    void subscribe(String groupName, String typeUrl) {
      if (group == null) {
        group = groups.get(groupName);
        if (group == null) {
          out.onError(Status.INVALID_ARGUMENT.withDescription("node.cluster: unknown group " + groupName)
              .asRuntimeException());
          return;
        }
      }
      if (CDS.equals(typeUrl) && !cdsSent) {
        cdsSent = true;
        write(group.initial(CDS, delta));
      } else if (EDS.equals(typeUrl) && !edsSent) {
        edsSent = true;
        // Subscribe first: an update racing with the full state is then sent twice, never lost.
        (delta ? group.deltaSubscribers : group.sotwSubscribers).add(this);
        write(group.initial(EDS, delta));
      }
    }

    synchronized void write(byte[] response) {
      queued.add(response);
      drain();
    }

    private synchronized void drain() {
      try {
        while (!queued.isEmpty() && out.isReady()) {
          out.onNext(queued.poll());
        }
      } catch (RuntimeException e) {
        queued.clear();
        unsubscribe(); // the call was cancelled under us
      }
    }

    @Override
    public void onError(Throwable t) {
      unsubscribe();
    }

    @Override
    public void onCompleted() {
      unsubscribe();
      synchronized (this) {
        out.onCompleted();
      }
    }

    private void unsubscribe() {
      if (group != null) {
        group.sotwSubscribers.remove(this);
        group.deltaSubscribers.remove(this);
      }
    }
  }

  /** Writes pre-serialized bytes as they are; gRPC drains them into its frames without a copy of its own. */
  private static final class RawMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new RawStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static final class RawStream extends ByteArrayInputStream implements KnownLength, Drainable {
    RawStream(byte[] bytes) {
      super(bytes);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int n = count - pos;
      target.write(buf, pos, n);
      pos = count;
      return n;
    }
  }
}
