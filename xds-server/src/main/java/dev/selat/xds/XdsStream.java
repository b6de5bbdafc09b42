package dev.selat.xds;

import static java.util.Objects.requireNonNull;

import dev.selat.xds.XdsStreamInfo.Protocol;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One xDS stream (ADS or a single type), SotW or Delta. All state is owned by the stream's
 * {@link SerialExecutor}: requests, snapshot changes and transport readiness are queued onto it.
 *
 * <p>Per type, at most one response waits for its ACK; while it waits, newer snapshots coalesce
 * (the next response is computed from the latest one). Responses go out in make-before-break
 * order: a type is held while a type before it (CDS, EDS, LDS, RDS) waits for an ACK, except
 * endpoints, which a changed cluster needs to warm before Envoy ACKs it ({@link
 * TypeUrls#waitsFor}); the endpoints of a changed cluster are sent again after it, even
 * unchanged, as Envoy's warming requires. Removals go out only once every addition is ACKed.
 * Nothing is sent while the transport is not ready, so a slow client never makes the server
 * buffer: the pending state is just "what differs".
 * Inbound requests are pulled one at a time for the same reason.
 */
abstract class XdsStream<Q, R, S extends TypeState>
    implements StreamObserver<Q>, SnapshotStore.Watcher {
  private static final Logger log = LoggerFactory.getLogger(XdsStream.class);
  /** Bounds per-stream state against a client inventing type URLs. */
  static final int MAX_TYPES_PER_STREAM = 16;

  final StreamContext ctx;
  final Protocol protocol;
  private final long id;
  private final String service;
  private final String fixedTypeUrl;
  final ServerCallStreamObserver<R> out;
  private final SerialExecutor executor;
  private final List<X509Certificate> clientChain;
  private final AtomicBoolean pushQueued = new AtomicBoolean();
  private final Map<String, S> types =
      new TreeMap<>(Comparator.comparingInt(TypeUrls::addRank).thenComparing(Comparator.naturalOrder()));
  XdsStreamInfo info;
  private final Instant connectedAt;
  /** What {@link XdsServer#streams()} shows; rebuilt at the end of a task that changed it, null until open. */
  private volatile XdsStreamStatus status;
  private boolean statusChanged;
  private boolean closed;
  private boolean staleNonceLogged;
  private long nonces;
  /** What the transport could not write at once, counted in the server's {@link OutboundBudget} until it is ready. */
  private OutboundBudget.Ticket unwritten;
  /** Queued in the budget for room to send; woken by {@link #roomFreed}. */
  private boolean waitingForRoom;

  /** Must be constructed inside the gRPC service method (it configures the call). */
  XdsStream(StreamContext ctx, Protocol protocol, ServerCallStreamObserver<R> out, String service,
      String fixedTypeUrl, List<X509Certificate> clientChain) {
    this.ctx = ctx;
    this.protocol = protocol;
    this.out = out;
    this.service = service;
    this.fixedTypeUrl = fixedTypeUrl;
    this.clientChain = clientChain;
    this.id = ctx.streamIds().incrementAndGet();
    this.executor = new SerialExecutor(ctx.executor());
    this.connectedAt = ctx.clock().instant();
    out.disableAutoRequest();
    out.setOnReadyHandler(() -> run(() -> {
      written();
      push();
    }));
    // gRPC ends calls the request observer never hears of: it closes a call by itself when it
    // cannot decode a request, or when sending fails with an Error. The call's context is
    // cancelled however the call ends, so that is the signal the stream closes on; a
    // cancellation handler must be set anyway (without one, sending after a cancel throws).
    out.setOnCancelHandler(this::ended);
    Context.current().addListener(context -> ended(), Runnable::run);
    out.request(1);
  }

  abstract S newTypeState(String typeUrl);

  abstract Node nodeOf(Q request);

  abstract String typeUrlOf(Q request);

  abstract String responseNonceOf(Q request);

  /** Applies a request's subscription changes and its ACK or NACK to the type's state. */
  abstract void apply(S state, Q request, SnapshotStore.Published current);

  /** Sends what the type adds or changes, if anything; true if it sent. */
  abstract boolean pushAdditions(S state, SnapshotStore.Published current);

  /** Sends what the type removes, if anything; true if it sent. */
  abstract boolean pushRemovals(S state, SnapshotStore.Published current);

  /** Makes the type's next response carry {@code name} again, as if the client did not hold it. */
  abstract void resend(S state, String name);

  @Override
  public final void onNext(Q request) {
    run(() -> {
      handle(request);
      if (!closed) {
        out.request(1);
      }
    });
  }

  @Override
  public final void onError(Throwable t) {
    ended();
  }

  @Override
  public final void onCompleted() {
    run(() -> {
      try {
        if (!closed) {
          out.onCompleted();
        }
      } finally {
        close();
      }
    });
  }

  /** The call is over, however it ended; may be called any number of times, from any thread. */
  private void ended() {
    executor.execute(this::close);
  }

  /**
   * Runs {@code task} on the stream's executor. A task that throws ends the stream with INTERNAL:
   * a stream left open after a failure in the middle of a request or a push might never be
   * served again, yet hold its slot, watcher and gauges.
   */
  private void run(Runnable task) {
    executor.execute(() -> {
      try {
        task.run();
        if (statusChanged && !closed) {
          publishStatus();
        }
      } catch (RuntimeException e) {
        log.error("xDS stream {} failed", id, e);
        fail(Status.INTERNAL, "internal error: " + e);
      }
    });
  }

  private void publishStatus() {
    statusChanged = false;
    List<XdsStreamStatus.TypeStatus> all = new ArrayList<>(types.size());
    for (S state : types.values()) {
      all.add(state.status());
    }
    status = new XdsStreamStatus(info, connectedAt, all);
  }

  /** The stream as of its latest change; null before its first request opened it. Any thread. */
  final XdsStreamStatus status() {
    return status;
  }

  @Override
  public final void snapshotChanged() {
    schedulePush();
  }

  /** Queues one push; pushes asked for while one is queued are the same push (latest state wins). */
  private void schedulePush() {
    if (pushQueued.compareAndSet(false, true)) {
      run(() -> {
        pushQueued.set(false);
        push();
      });
    }
  }

  private void handle(Q request) {
    if (closed || (info == null && !open(nodeOf(request)))) {
      return;
    }
    String typeUrl = typeUrlOf(request);
    if (typeUrl.isEmpty()) {
      if (fixedTypeUrl == null) {
        fail(Status.INVALID_ARGUMENT, "type_url: required on aggregated (ADS) requests");
        return;
      }
      typeUrl = fixedTypeUrl;
    } else if (fixedTypeUrl != null && !fixedTypeUrl.equals(typeUrl)) {
      fail(Status.INVALID_ARGUMENT, "type_url: " + typeUrl + " is not served here, only " + fixedTypeUrl);
      return;
    }
    if (!types.containsKey(typeUrl) && types.size() >= MAX_TYPES_PER_STREAM) {
      fail(Status.INVALID_ARGUMENT, "type_url: more than " + MAX_TYPES_PER_STREAM + " types on one stream");
      return;
    }
    S state = types.computeIfAbsent(typeUrl, t -> {
      ctx.metrics().subscribed(protocol, t, 1);
      return newTypeState(t);
    });
    String nonce = responseNonceOf(request);
    if (!nonce.isEmpty() && !nonce.equals(state.sentNonce)) {
      staleNonce(state, nonce);
    }
    apply(state, request, ctx.store().current(info.group()));
    statusChanged = true; // the subscription, an ACK or a NACK
    push();
  }

  /**
   * A request answering a response that is not the type's latest one (stale), or that this stream
   * never sent (unknown): its ACK or NACK is ignored, its subscription still applies (a Delta
   * subscription change must never be lost, and a SotW request lists the whole subscription).
   * Normal in races now and then; many mean a confused client. Counted, logged once per stream.
   */
  private void staleNonce(S state, String nonce) {
    ctx.metrics().staleNonce(protocol, state.typeUrl);
    if (!staleNonceLogged) {
      staleNonceLogged = true;
      log.info("stream {} (node {}): a {} request answers nonce '{}', not the latest response sent ({}): its ACK/NACK "
          + "is ignored; further ones on this stream are only counted (selat.xds.requests.stale.nonce)",
          id, info.node().getId(), state.typeUrl, nonce, state.sentNonce == null ? "none" : "'" + state.sentNonce + "'");
    }
  }

  private boolean open(Node node) {
    if (node == null) {
      fail(Status.INVALID_ARGUMENT, "node: required on the first request of a stream");
      return false;
    }
    if (!ctx.verifier().permits(node, clientChain)) {
      ctx.metrics().rejected("identity");
      log.warn("refusing node {}: its id does not match the client certificate", node.getId());
      fail(Status.PERMISSION_DENIED, "node.id: '" + node.getId() + "' is not permitted for the client certificate");
      return false;
    }
    String group = requireNonNull(ctx.mapper().group(node), "NodeGroupMapper returned null group");
    // Envoy lists every extension it was built with (kilobytes); kept per stream, that adds up.
    info = new XdsStreamInfo(id, protocol, service, node.toBuilder().clearExtensions().build(), group);
    log.debug("stream {} opened: node {} in group {} ({} {})", id, node.getId(), group, protocol, service);
    ctx.metrics().streamOpened(protocol, service);
    status = new XdsStreamStatus(info, connectedAt, List.of());
    ctx.streams().add(this);
    ctx.store().watch(group, this);
    ctx.callbacks().onStreamOpen(info);
    return true;
  }

  private void push() {
    if (closed || info == null) {
      return;
    }
    SnapshotStore.Published current = ctx.store().current(info.group());
    if (current == null || !out.isReady()) {
      return; // the next publish or the transport's onReady brings us back
    }
    if (waitingForRoom || !ctx.budget().hasRoom(() -> run(this::roomFreed))) {
      waitingForRoom = true;
      return; // other streams' responses fill the transport: roomFreed brings us back
    }
    List<String> waiting = new ArrayList<>(); // types with a response awaiting its ACK, or held behind one
    for (S state : types.values()) {
      state.forgetNacksOfChanged(current.snapshot());
      if (state.inflightNonce != null || waiting.stream().anyMatch(w -> TypeUrls.waitsFor(state.typeUrl, w))
          || pushAdditions(state, current)) {
        waiting.add(state.typeUrl);
      }
    }
    if (!waiting.isEmpty()) {
      return; // removals wait for every addition's ACK
    }
    for (S state : typesInRemovalOrder()) {
      if (pushRemovals(state, current)) {
        return;
      }
    }
  }

  private void roomFreed() {
    waitingForRoom = false;
    if (closed || !out.isReady()) {
      ctx.budget().passOn(); // not sending: the next in line may
      return;
    }
    push();
  }

  /** The transport wrote what was queued: give its bytes back to the server's budget. */
  private void written() {
    if (unwritten != null) {
      ctx.budget().give(unwritten);
      unwritten = null;
    }
  }

  private List<S> typesInRemovalOrder() {
    List<S> ordered = new ArrayList<>(types.values());
    ordered.sort(Comparator.comparingInt(state -> TypeUrls.removeRank(state.typeUrl)));
    return ordered;
  }

  /** Called before a cluster response goes out, with the clusters it changes that the client held at another version. */
  final void rewarm(Collection<VersionedResource> changedClusters) {
    S endpoints = types.get(TypeUrls.ENDPOINT);
    if (endpoints != null) {
      for (VersionedResource cluster : changedClusters) {
        TypeUrls.endpointsNameOf(cluster).filter(endpoints::subscribes).ifPresent(name -> resend(endpoints, name));
      }
    }
  }

  final String nextNonce() {
    return Long.toString(++nonces);
  }

  /** Sends a response and marks it as the type's one un-ACKed response. */
  final void send(S state, String nonce, String version, R response, int bytes, SnapshotStore.Published from,
      Collection<VersionedResource> resources, Collection<String> removed) {
    state.inflightNonce = nonce;
    state.sentNonce = nonce;
    state.sentVersion = version;
    statusChanged = true;
    state.inflightPublishedAt = from.publishedAt();
    state.responded = true;
    out.onNext(response);
    if (!out.isReady()) {
      unwritten = ctx.budget().take(unwritten, bytes);
    }
    ctx.metrics().response(protocol, state.typeUrl, bytes);
    ctx.callbacks().onResponse(info, state.typeUrl, resources, removed);
  }

  final void acked(S state) {
    ctx.metrics().ack(protocol, state.typeUrl, Duration.between(state.inflightPublishedAt, ctx.clock().instant()));
    ctx.callbacks().onAck(info, state.typeUrl, state.inflightNonce);
    state.ackedVersion = state.sentVersion;
    state.inflightNonce = null;
  }

  final void nacked(S state, String errorDetail) {
    ctx.metrics().nack(protocol, state.typeUrl);
    log.warn("NACK from node {} (group {}) for {} nonce {}: {}", info.node().getId(), info.group(),
        state.typeUrl, state.inflightNonce, errorDetail);
    ctx.callbacks().onNack(info, state.typeUrl, state.inflightNonce, errorDetail);
    state.lastNack = new XdsStreamStatus.Nack(state.sentVersion, errorDetail, ctx.clock().instant());
    state.inflightNonce = null;
  }

  private void fail(Status status, String description) {
    if (closed) {
      return;
    }
    if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
      ctx.metrics().rejected("invalid");
    }
    try {
      out.onError(status.withDescription(description).asRuntimeException());
    } finally {
      close();
    }
  }

  private void close() {
    if (closed) {
      return;
    }
    closed = true;
    written();
    ctx.admission().release();
    if (info != null) {
      log.debug("stream {} closed: node {}", id, info.node().getId());
      ctx.streams().remove(this);
      ctx.store().unwatch(info.group(), this);
      ctx.metrics().streamClosed(protocol, service);
      types.keySet().forEach(t -> ctx.metrics().subscribed(protocol, t, -1));
      ctx.callbacks().onStreamClose(info);
    }
  }
}
