package dev.selat.probe;

import static java.util.Objects.requireNonNull;

import dev.selat.proto.v1.LatencyRow;
import dev.selat.proto.v1.LatencyServiceGrpc;
import dev.selat.proto.v1.LinkEstimate;
import dev.selat.proto.v1.WatchLatencyRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Serves {@code LatencyService.Watch}: each subscriber gets the current row at once, then each newer row whose
 * estimates differ from the last one it got (filtered to the sites it asked for). Flow control: a subscriber that is
 * not ready keeps only the newest pending row (latest state wins); it gets it when gRPC says it is ready again.
 *
 * <p>Threading: one serial executor ({@code owner}) owns the current row and every subscriber's state; publish,
 * subscribe, onReady and cancel all hop onto it, so no lock is held while calling into gRPC.
 */
public final class LatencyWatchService extends LatencyServiceGrpc.LatencyServiceImplBase {
  private final Executor owner;
  private final List<Subscriber> subscribers = new ArrayList<>();
  private LatencyRow current;

  private final class Subscriber {
    final ServerCallStreamObserver<LatencyRow> stream;
    final Set<String> sites;
    LatencyRow lastSent;
    LatencyRow pending;

    Subscriber(ServerCallStreamObserver<LatencyRow> stream, Set<String> sites) {
      this.stream = stream;
      this.sites = sites;
    }

    void offer(LatencyRow row) {
      LatencyRow filtered = sites.isEmpty() ? row : filter(row, sites);
      if (lastSent != null && lastSent.getEstimatesList().equals(filtered.getEstimatesList())) {
        // Back to what the subscriber already has: a row still pending is older news, not to be sent.
        pending = null;
        return;
      }
      pending = filtered;
      drain();
    }

    void drain() {
      if (pending != null && stream.isReady() && !stream.isCancelled()) {
        stream.onNext(pending);
        lastSent = pending;
        pending = null;
      }
    }
  }

  /** @param owner a serial executor (one thread, or a SynchronizationContext-like queue) */
  public LatencyWatchService(Executor owner) {
    this.owner = requireNonNull(owner, "owner");
  }

  /** Makes {@code row} the current row and offers it to every subscriber. */
  public void publish(LatencyRow row) {
    requireNonNull(row, "row");
    owner.execute(() -> {
      current = row;
      subscribers.forEach(s -> s.offer(row));
    });
  }

  @Override
  public void watch(WatchLatencyRequest request, StreamObserver<LatencyRow> responseObserver) {
    ServerCallStreamObserver<LatencyRow> stream = (ServerCallStreamObserver<LatencyRow>) responseObserver;
    Subscriber subscriber = new Subscriber(stream, Set.copyOf(request.getPeerSitesList()));
    stream.setOnCancelHandler(() -> owner.execute(() -> subscribers.remove(subscriber)));
    stream.setOnReadyHandler(() -> owner.execute(subscriber::drain));
    owner.execute(() -> {
      if (stream.isCancelled()) {
        return;
      }
      subscribers.add(subscriber);
      if (current != null) {
        subscriber.offer(current);
      }
    });
  }

  private static LatencyRow filter(LatencyRow row, Set<String> sites) {
    List<LinkEstimate> kept = row.getEstimatesList().stream().filter(e -> sites.contains(e.getTargetSite())).toList();
    return row.toBuilder().clearEstimates().addAllEstimates(kept).build();
  }
}
