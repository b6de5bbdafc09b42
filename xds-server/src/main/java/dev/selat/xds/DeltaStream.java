package dev.selat.xds;

import dev.selat.xds.XdsStreamInfo.Protocol;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.grpc.stub.ServerCallStreamObserver;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Incremental xDS: a response carries only resources whose version differs from what the client
 * holds, and lists removals. A reconnecting client's initial_resource_versions seed what it holds.
 * A name the client subscribes to is always answered: with the resource, even if the client seems
 * to hold it, or in removed_resources when it does not exist (xDS protocol, Delta).
 */
final class DeltaStream
    extends XdsStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse, DeltaStream.State> {

  static final class State extends TypeState {
    /** name -> version the client holds, as of its last ACK, or {@link #UNANSWERED}. */
    final HeldResources<String> held = new HeldResources<>();
    Collection<VersionedResource> inflightResources = List.of();
    List<String> inflightRemoved = List.of();
    /** Set when the client, once it ACKs the response in flight, holds exactly this snapshot's versions. */
    Map<String, String> inflightHeld;
    boolean seen;

    State(String typeUrl) {
      super(typeUrl);
    }

    List<VersionedResource> changed(ResourceSnapshot snapshot) {
      List<VersionedResource> out = new ArrayList<>();
      for (VersionedResource r : desired(snapshot)) {
        if (!isNacked(r) && !r.version().equals(held.get(r.name()))) {
          out.add(r);
        }
      }
      return out;
    }

    /** Nothing to send: the client holds exactly the snapshot's versions of this type. */
    boolean inSync(ResourceSnapshot snapshot) {
      return responded && held.isSharing(snapshot.versions(typeUrl));
    }

    /** The client holds no version of anything, and waits for nothing outside {@code all}. */
    boolean holdsNothingOf(Map<String, VersionedResource> all) {
      for (Map.Entry<String, String> e : held.asMap().entrySet()) {
        if (!UNANSWERED.equals(e.getValue()) || !all.containsKey(e.getKey())) {
          return false;
        }
      }
      return true;
    }

    List<String> removed(ResourceSnapshot snapshot) {
      Map<String, VersionedResource> all = snapshot.resources(typeUrl);
      List<String> out = new ArrayList<>();
      for (String name : held.names()) {
        if (!all.containsKey(name)) {
          out.add(name);
        }
      }
      return out;
    }
  }

  /**
   * The version held for a name the client subscribed to and must get an answer for: no resource
   * has it (versions are hex hashes), so the resource is sent, or its absence listed as removed.
   */
  static final String UNANSWERED = "";

  DeltaStream(StreamContext ctx, ServerCallStreamObserver<DeltaDiscoveryResponse> out, String service,
      String fixedTypeUrl, List<X509Certificate> clientChain) {
    super(ctx, Protocol.DELTA, out, service, fixedTypeUrl, clientChain);
  }

  @Override
  State newTypeState(String typeUrl) {
    return new State(typeUrl);
  }

  @Override
  Node nodeOf(DeltaDiscoveryRequest request) {
    return request.hasNode() ? request.getNode() : null;
  }

  @Override
  String typeUrlOf(DeltaDiscoveryRequest request) {
    return request.getTypeUrl();
  }

  @Override
  String responseNonceOf(DeltaDiscoveryRequest request) {
    return request.getResponseNonce();
  }

  @Override
  void apply(State s, DeltaDiscoveryRequest request, SnapshotStore.Published current) {
    boolean first = !s.seen;
    s.seen = true;
    if (first && request.getResourceNamesSubscribeCount() == 0 && TypeUrls.isFullState(s.typeUrl)) {
      s.wildcard = true; // legacy wildcard: Listener and Cluster with nothing named
    }
    updateSubscription(s, request, current);
    if (first) {
      request.getInitialResourceVersionsMap().forEach((name, version) -> {
        if (s.subscribes(name)) {
          s.held.put(name, version);
          s.responded = true;
        }
      });
    }
    if (s.inflightNonce != null && s.inflightNonce.equals(request.getResponseNonce())) {
      if (request.hasErrorDetail()) {
        for (VersionedResource r : s.inflightResources) {
          s.nacked.put(r.name(), r.version());
        }
        nacked(s, request.getErrorDetail().getMessage());
      } else if (s.inflightHeld != null) {
        s.held.share(s.inflightHeld);
        if (s.resubscribedInFlight) {
          s.held.retainNames(s::subscribes); // names unsubscribed while the response was in flight
        }
        acked(s);
      } else {
        for (VersionedResource r : s.inflightResources) {
          if (s.subscribes(r.name())) {
            s.held.put(r.name(), r.version());
          }
        }
        s.inflightRemoved.forEach(s.held::remove);
        acked(s);
      }
      s.resendAfterAck.stream().filter(s::subscribes).forEach(name -> s.held.put(name, UNANSWERED));
      s.resendAfterAck.clear();
      s.inflightResources = List.of();
      s.inflightRemoved = List.of();
      s.inflightHeld = null;
      s.resubscribedInFlight = false;
    }
    if (current != null) {
      s.held.shareIfEqual(current.snapshot().versions(s.typeUrl));
    }
  }

  private void updateSubscription(State s, DeltaDiscoveryRequest request, SnapshotStore.Published current) {
    if (request.getResourceNamesSubscribeCount() == 0 && request.getResourceNamesUnsubscribeCount() == 0) {
      return;
    }
    boolean wasWildcard = s.wildcard;
    boolean fresh = s.names().isEmpty() && !s.wildcard && s.held.isEmpty() && s.inflightNonce == null;
    Set<String> names = new HashSet<>(s.names());
    List<String> toAnswer = new ArrayList<>();
    for (String name : request.getResourceNamesSubscribeList()) {
      if ("*".equals(name)) {
        s.wildcard = true;
      } else {
        names.add(name);
        // discovery.proto: answered even if the client seems to hold it (it may have dropped it
        // and regained interest before unsubscribing), or listed as removed if it does not exist.
        toAnswer.add(name);
      }
    }
    for (String name : request.getResourceNamesUnsubscribeList()) {
      if ("*".equals(name)) {
        s.wildcard = false;
      } else {
        names.remove(name);
      }
    }
    if (s.wildcard) {
      // Still covered by "*": the client cannot tell whether to keep it until it is sent again or
      // listed as removed (xDS protocol, "Unsubscribing from Resources").
      request.getResourceNamesUnsubscribeList().stream().filter(n -> !"*".equals(n)).forEach(toAnswer::add);
    }
    if (s.setNames(names, current) || wasWildcard != s.wildcard) {
      s.resubscribedInFlight |= s.inflightNonce != null;
    }
    s.held.retainNames(s::subscribes);
    if (fresh && !s.wildcard && current != null && s.names() == current.snapshot().names(s.typeUrl)
        && toAnswer.size() == s.names().size()) {
      // A first subscription to exactly the snapshot's names (no duplicates: as many asked as
      // subscribed): every one waits for an answer, and thousands of such streams share that map.
      s.held.share(current.snapshot().unanswered(s.typeUrl));
    } else {
      toAnswer.forEach(name -> resend(s, name));
    }
  }

  @Override
  boolean pushAdditions(State s, SnapshotStore.Published current) {
    ResourceSnapshot snapshot = current.snapshot();
    if (s.inSync(snapshot)) {
      return false;
    }
    SnapshotStore.TypeChange change = current.change(s.typeUrl);
    if (s.responded && change != null && s.nacked.isEmpty() && s.held.isSharing(change.fromVersions())
        && change.removed().isEmpty() && change.changed().stream().allMatch(r -> s.subscribes(r.name()))) {
      // The client holds the previous snapshot's versions and wants every change: no scan needed.
      if (change.changed().isEmpty()) {
        s.held.share(snapshot.versions(s.typeUrl));
        return false;
      }
      respond(s, current, change.changed(), List.of(), snapshot.versions(s.typeUrl));
      return true;
    }
    Map<String, VersionedResource> all = snapshot.resources(s.typeUrl);
    if (s.nacked.isEmpty() && !all.isEmpty() && s.holdsNothingOf(all) && s.subscribesExactly(all)) {
      // A client holding nothing that wants everything (a first request, a reconnect storm).
      respond(s, current, all.values(), List.of(), snapshot.versions(s.typeUrl));
      return true;
    }
    List<VersionedResource> changed = s.changed(snapshot);
    // A wildcard subscriber waits for a first answer, even an empty one.
    if (changed.isEmpty() && (s.responded || !s.wildcard)) {
      return false;
    }
    respond(s, current, changed, List.of(), null);
    return true;
  }

  @Override
  boolean pushRemovals(State s, SnapshotStore.Published current) {
    if (s.inSync(current.snapshot())) {
      return false;
    }
    List<String> removed = s.removed(current.snapshot());
    if (removed.isEmpty()) {
      return false;
    }
    respond(s, current, List.of(), removed, null);
    return true;
  }

  @Override
  void resend(State s, String name) {
    s.held.put(name, UNANSWERED);
    if (s.inflightNonce != null) {
      s.resendAfterAck.add(name);
    }
  }

  /** @param heldAfterAck the snapshot versions the client holds once it ACKs, if that is known */
  private void respond(State s, SnapshotStore.Published current, Collection<VersionedResource> resources,
      List<String> removed, Map<String, String> heldAfterAck) {
    if (TypeUrls.CLUSTER.equals(s.typeUrl)) {
      rewarm(resources.stream().filter(r -> {
        String held = s.held.get(r.name());
        return held != null && !held.equals(UNANSWERED) && !held.equals(r.version());
      }).toList());
    }
    String nonce = nextNonce();
    DeltaDiscoveryResponse.Builder response = DeltaDiscoveryResponse.newBuilder()
        .setSystemVersionInfo(current.snapshot().version())
        .setTypeUrl(s.typeUrl)
        .setNonce(nonce)
        .addAllRemovedResources(removed);
    for (VersionedResource r : resources) {
      response.addResources(r.deltaResource());
    }
    DeltaDiscoveryResponse built = response.build();
    s.inflightResources = resources;
    s.inflightRemoved = removed;
    s.inflightHeld = heldAfterAck;
    send(s, nonce, built.getSystemVersionInfo(), built, built.getSerializedSize(), current, resources, removed);
  }
}
