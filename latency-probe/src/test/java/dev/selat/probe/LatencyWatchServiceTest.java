package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.proto.v1.LatencyRow;
import dev.selat.proto.v1.LatencyServiceGrpc;
import dev.selat.proto.v1.LinkEstimate;
import dev.selat.proto.v1.WatchLatencyRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LatencyWatchServiceTest {
  private final ExecutorService owner = Executors.newSingleThreadExecutor();
  private final LatencyWatchService service = new LatencyWatchService(owner);
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void setUp() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void tearDown() {
    channel.shutdownNow();
    server.shutdownNow();
    owner.shutdownNow();
  }

  @Test
  void watch_rowAlreadyPublished_getsItAtOnce() {
    service.publish(row(estimate("alibaba-sg", 3), estimate("aws-sg", 9)));

    List<LatencyRow> received = watch(WatchLatencyRequest.getDefaultInstance());

    await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
    assertThat(received.getFirst().getEstimatesList()).extracting(LinkEstimate::getTargetSite)
        .containsExactly("alibaba-sg", "aws-sg");
  }

  @Test
  void watch_peerSitesFilter_getsOnlyThoseSitesAndOnlyWhenTheyChange() {
    List<LatencyRow> received = watch(WatchLatencyRequest.newBuilder().addPeerSites("aws-sg").build());

    service.publish(row(estimate("alibaba-sg", 3), estimate("aws-sg", 9)));
    service.publish(row(estimate("alibaba-sg", 4), estimate("aws-sg", 9)));
    service.publish(row(estimate("alibaba-sg", 4), estimate("aws-sg", 10)));

    await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2);
    assertThat(received).extracting(r -> r.getEstimates(0).getSamples()).containsExactly(9L, 10L);
    assertThat(received).allSatisfy(r -> assertThat(r.getEstimatesCount()).isEqualTo(1));
  }

  @Test
  void watch_slowSubscriber_getsTheNewestRowNotABacklog() throws Exception {
    List<LatencyRow> received = new CopyOnWriteArrayList<>();
    ClientCallStreamObserver<WatchLatencyRequest> call = watchOneAtATime(received);

    for (long samples = 1; samples <= 5; samples++) {
      service.publish(row(estimate("aws-sg", samples)));
    }
    awaitOwnerIdle();
    await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
    call.request(1);

    await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2);
    assertThat(received).extracting(r -> r.getEstimates(0).getSamples()).containsExactly(1L, 5L);
  }

  /** Latest state wins also when the newest row equals what the subscriber has: the pending one is stale. */
  @Test
  void watch_slowSubscriberWhoseRowCameBack_neverGetsTheStaleRowInBetween() throws Exception {
    List<LatencyRow> received = new CopyOnWriteArrayList<>();
    ClientCallStreamObserver<WatchLatencyRequest> call = watchOneAtATime(received);
    service.publish(row(estimate("aws-sg", 1)));
    await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);

    service.publish(row(estimate("aws-sg", 2)));
    service.publish(row(estimate("aws-sg", 1)));
    awaitOwnerIdle();
    call.request(1);
    service.publish(row(estimate("aws-sg", 3)));

    await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2);
    assertThat(received).extracting(r -> r.getEstimates(0).getSamples()).containsExactly(1L, 3L);
  }

  /** Every publish so far has run: the owner is a single thread, first in first out. */
  private void awaitOwnerIdle() throws Exception {
    owner.submit(() -> { }).get(5, TimeUnit.SECONDS);
  }

  /** A subscriber that takes one row, then one more each time the test asks. */
  private ClientCallStreamObserver<WatchLatencyRequest> watchOneAtATime(List<LatencyRow> received) {
    AtomicReference<ClientCallStreamObserver<WatchLatencyRequest>> call = new AtomicReference<>();
    LatencyServiceGrpc.newStub(channel).watch(WatchLatencyRequest.getDefaultInstance(),
        new ClientResponseObserver<WatchLatencyRequest, LatencyRow>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<WatchLatencyRequest> requestStream) {
            requestStream.disableAutoRequestWithInitial(1);
            call.set(requestStream);
          }

          @Override
          public void onNext(LatencyRow value) {
            received.add(value);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    return call.get();
  }

  private List<LatencyRow> watch(WatchLatencyRequest request) {
    List<LatencyRow> received = new CopyOnWriteArrayList<>();
    LatencyServiceGrpc.newStub(channel).watch(request, new StreamObserver<>() {
      @Override
      public void onNext(LatencyRow value) {
        received.add(value);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    });
    return received;
  }

  private static LatencyRow row(LinkEstimate... estimates) {
    return LatencyRow.newBuilder().setSourceSite("jakarta").setAgentId("jakarta-probe")
        .addAllEstimates(List.of(estimates)).build();
  }

  private static LinkEstimate estimate(String site, long samples) {
    return LinkEstimate.newBuilder().setTargetSite(site).setPath("vpn").setSamples(samples).build();
  }
}
