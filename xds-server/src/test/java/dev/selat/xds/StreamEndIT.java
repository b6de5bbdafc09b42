package dev.selat.xds;

import static dev.selat.xds.InProcessXds.GROUP;
import static dev.selat.xds.InProcessXds.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.service.cluster.v3.ClusterDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every way gRPC can end a stream releases what the stream holds (its admission slot, its
 * snapshot watcher, the open-streams gauge) and runs its close callback once, over real Netty on
 * loopback. The server admits one stream at a time, so a stream that leaked would refuse the
 * next client with RESOURCE_EXHAUSTED. The undecodable requests are sent by a raw grpc-java call
 * whose marshaller writes bytes as given: grpc-java then closes the call by itself, and the
 * service's request observer hears nothing of it.
 */
class StreamEndIT {
  /** Field 13 with wire type 6, which does not exist: no protobuf parser accepts this. */
  private static final byte[] GARBAGE = "not a protobuf".getBytes(StandardCharsets.US_ASCII);
  private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  private static final Duration BOUND = Duration.ofSeconds(10);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final StreamCounts counts = new StreamCounts();
  private XdsServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws IOException {
    server = XdsServer.builder()
        .address(new InetSocketAddress("127.0.0.1", 0))
        .maxConcurrentStreams(1)
        .meterRegistry(registry)
        .callbacks(counts)
        .start();
    server.publish(GROUP, Resources.clusters("a", "b"));
    channel = newChannel(Integer.MAX_VALUE);
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  @Test
  void sotw_garbageAsFirstMessage_grpcClosesTheCallAndNothingIsLeft() {
    assertThatThrownBy(() -> DiscoveryRequest.parseFrom(GARBAGE)).isInstanceOf(InvalidProtocolBufferException.class);

    RawCall call = new RawCall(channel, AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod())
        .send(GARBAGE);

    assertClosedByGrpc(call);
    assertNothingLeft();
    assertRealClientServed();
  }

  @Test
  void sotw_garbageAfterAValidRequest_streamClosedOnceAndNothingIsLeft() {
    assertGarbageAfterAValidRequestLeavesNothing(AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod(),
        request(TypeUrls.CLUSTER).toByteArray());
  }

  @Test
  void delta_garbageAfterAValidRequest_streamClosedOnceAndNothingIsLeft() {
    assertGarbageAfterAValidRequestLeavesNothing(AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod(),
        DeltaDiscoveryRequest.newBuilder().setNode(InProcessXds.NODE).setTypeUrl(TypeUrls.CLUSTER).build()
            .toByteArray());
  }

  @Test
  void perTypeService_garbageAfterAValidRequest_streamClosedOnceAndNothingIsLeft() {
    assertGarbageAfterAValidRequestLeavesNothing(ClusterDiscoveryServiceGrpc.getStreamClustersMethod(),
        request(TypeUrls.CLUSTER).toByteArray());
  }

  /** The stream is open and served when the garbage comes: everything it held goes. */
  private void assertGarbageAfterAValidRequestLeavesNothing(MethodDescriptor<?, ?> method, byte[] valid) {
    RawCall call = new RawCall(channel, method).send(valid);
    await().atMost(BOUND).until(() -> !call.responses.isEmpty());
    assertThat(bookkeeping()).isEqualTo(new Bookkeeping(1, 1, 1, 1));

    call.send(GARBAGE);

    assertClosedByGrpc(call);
    assertNothingLeft();
    assertRealClientServed();
  }

  @Test
  void clientCancels_streamClosedOnce() {
    RawCall call = openedSotwCall(channel, CallOptions.DEFAULT);

    call.call.cancel("test cancels", null);

    assertNothingLeft();
    assertRealClientServed();
  }

  @Test
  void clientHalfCloses_serverCompletesAndStreamClosedOnce() {
    RawCall call = openedSotwCall(channel, CallOptions.DEFAULT);

    call.call.halfClose();

    await().atMost(BOUND).until(() -> call.status != null);
    assertThat(call.status.getCode()).isEqualTo(Status.Code.OK);
    assertNothingLeft();
    assertRealClientServed();
  }

  @Test
  void deadlineExpires_streamClosedOnce() {
    RawCall call = openedSotwCall(channel, CallOptions.DEFAULT.withDeadlineAfter(500, TimeUnit.MILLISECONDS));

    await().atMost(BOUND).until(() -> call.status != null);
    assertThat(call.status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertNothingLeft();
    assertRealClientServed();
  }

  @Test
  void connectionLost_streamClosedOnce() throws InterruptedException {
    ManagedChannel own = newChannel(Integer.MAX_VALUE);
    openedSotwCall(own, CallOptions.DEFAULT);

    own.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

    assertNothingLeft();
    assertRealClientServed();
  }

  @Test
  void responseTooLargeForTheClient_clientCancelsAndStreamClosedOnce() throws InterruptedException {
    ManagedChannel small = newChannel(16);
    try {
      RawCall call = new RawCall(small, AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod())
          .send(request(TypeUrls.CLUSTER).toByteArray());

      await().atMost(BOUND).until(() -> call.status != null);
      assertThat(call.status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertNothingLeft();
      assertRealClientServed();
    } finally {
      small.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void serverRefusesARequest_streamClosedOnce() {
    RawCall call = new RawCall(channel, AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod())
        .send(request(TypeUrls.CLUSTER).toBuilder().clearNode().build().toByteArray());

    await().atMost(BOUND).until(() -> call.status != null);
    assertThat(call.status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertNothingLeft();
    assertRealClientServed();
  }

  @Test
  void serverCloses_openStreamClosedOnce() {
    openedSotwCall(channel, CallOptions.DEFAULT);

    server.close();

    assertThat(counts.closed.get()).isEqualTo(counts.opened.get()).isEqualTo(1);
    assertThat(server.admittedStreams()).isZero();
    assertThat(server.watchingStreams()).isZero();
  }

  /** A SotW ADS call that has its first response: the server holds its stream. */
  private RawCall openedSotwCall(Channel on, CallOptions options) {
    RawCall call = new RawCall(on, AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod(), options)
        .send(request(TypeUrls.CLUSTER).toByteArray());
    await().atMost(BOUND).until(() -> !call.responses.isEmpty());
    assertThat(bookkeeping()).isEqualTo(new Bookkeeping(1, 1, 1, 1));
    return call;
  }

  private static void assertClosedByGrpc(RawCall call) {
    await().atMost(BOUND).until(() -> call.status != null);
    assertThat(call.status.getCode()).isIn(Status.Code.UNKNOWN, Status.Code.INTERNAL);
  }

  /** Back to a server with no stream, and every stream that opened closed exactly once. */
  private void assertNothingLeft() {
    await().atMost(BOUND).untilAsserted(() -> {
      assertThat(bookkeeping()).isEqualTo(new Bookkeeping(0, 0, 0, 0));
      assertThat(counts.closed.get()).isEqualTo(counts.opened.get());
    });
  }

  /** A grpc-java ADS client is admitted and served, and its stream goes again when it completes. */
  private void assertRealClientServed() {
    var client = RecordingStream.<DiscoveryRequest, DiscoveryResponse>open(
        AggregatedDiscoveryServiceGrpc.newStub(channel)::streamAggregatedResources);
    client.send(request(TypeUrls.CLUSTER));
    await().atMost(BOUND).until(() -> client.error != null || !client.responses.isEmpty());
    assertThat(client.error).isNull();
    assertThat(InProcessXds.names(client.last())).containsExactly("a", "b");
    client.close();
    assertNothingLeft();
  }

  private record Bookkeeping(int admitted, double openStreams, int watchers, int listed) {}

  private Bookkeeping bookkeeping() {
    double open = registry.find("selat.xds.streams").gauges().stream().mapToDouble(Gauge::value).sum();
    return new Bookkeeping(server.admittedStreams(), open, server.watchingStreams(), server.streams().size());
  }

  private ManagedChannel newChannel(int maxInboundMessageSize) {
    return NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
        .maxInboundMessageSize(maxInboundMessageSize).build();
  }

  /** A client call on an xDS method that sends bytes as given and records the responses' bytes and how it ended. */
  private static final class RawCall extends ClientCall.Listener<byte[]> {
    final ClientCall<byte[], byte[]> call;
    final List<byte[]> responses = new CopyOnWriteArrayList<>();
    volatile Status status;

    RawCall(Channel channel, MethodDescriptor<?, ?> method) {
      this(channel, method, CallOptions.DEFAULT);
    }

    RawCall(Channel channel, MethodDescriptor<?, ?> method, CallOptions options) {
      call = channel.newCall(method.toBuilder(RAW, RAW).build(), options);
      call.start(this, new Metadata());
      call.request(Integer.MAX_VALUE);
    }

    RawCall send(byte[] message) {
      call.sendMessage(message);
      return this;
    }

    @Override
    public void onMessage(byte[] message) {
      responses.add(message);
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      this.status = status;
    }
  }
}
