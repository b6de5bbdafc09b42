package dev.selat.xds;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The client end of one xDS stream in tests: records every response, sends requests by hand, and
 * can hold back flow control (request no responses) to play a slow client.
 */
final class RecordingStream<Q, R> implements ClientResponseObserver<Q, R> {
  final List<R> responses = new CopyOnWriteArrayList<>();
  volatile Status error;
  volatile boolean completed;
  private final boolean manualFlowControl;
  private ClientCallStreamObserver<Q> requests;

  private RecordingStream(boolean manualFlowControl) {
    this.manualFlowControl = manualFlowControl;
  }

  /** Opens a stream with {@code start} (a stub method), accepting every response. */
  static <Q, R> RecordingStream<Q, R> open(Function<RecordingStream<Q, R>, Object> start) {
    RecordingStream<Q, R> stream = new RecordingStream<>(false);
    start.apply(stream);
    return stream;
  }

  /** Opens a stream that receives nothing until {@link #pull} is called. */
  static <Q, R> RecordingStream<Q, R> openSlow(Function<RecordingStream<Q, R>, Object> start) {
    RecordingStream<Q, R> stream = new RecordingStream<>(true);
    start.apply(stream);
    return stream;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
    this.requests = requestStream;
    if (manualFlowControl) {
      requestStream.disableAutoRequestWithInitial(0);
    }
  }

  RecordingStream<Q, R> send(Q request) {
    requests.onNext(request);
    return this;
  }

  void pull(int responses) {
    requests.request(responses);
  }

  void close() {
    requests.onCompleted();
  }

  R last() {
    return responses.get(responses.size() - 1);
  }

  @Override
  public void onNext(R value) {
    responses.add(value);
  }

  @Override
  public void onError(Throwable t) {
    error = Status.fromThrowable(t);
  }

  @Override
  public void onCompleted() {
    completed = true;
  }
}
