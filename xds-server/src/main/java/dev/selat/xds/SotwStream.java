package dev.selat.xds;

import dev.selat.xds.XdsStreamInfo.Protocol;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.ServerCallStreamObserver;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * State-of-the-world: every response for Listener and Cluster carries the full subscribed set
 * (a missing name means deleted); for other types a response carries only what changed.
 *
 * <p>version_info is a hash of the set the client holds once it ACKs, so a client reconnecting
 * with the version of the current set gets nothing resent.
 */
final class SotwStream extends XdsStream<DiscoveryRequest, DiscoveryResponse, SotwStream.State> {

  static final class State extends TypeState {
    final boolean fullState;
    /** What the client holds, as of its last ACK. */
    final HeldResources<VersionedResource> acked = new HeldResources<>();
    /** What the response in flight carries. */
    Map<String, VersionedResource> inflight;
    /** Set when the client, once it ACKs the response in flight, holds exactly this snapshot map. */
    Map<String, VersionedResource> inflightHeld;
    /** A request named a resource ("*" included): an empty list no longer means the legacy wildcard. */
    boolean explicit;

    State(String typeUrl) {
      super(typeUrl);
      this.fullState = TypeUrls.isFullState(typeUrl);
    }

    /** The version the client should hold: a NACKed one falls back to what it accepted before, if anything. */
    VersionedResource effective(VersionedResource r) {
      return isNacked(r) ? acked.get(r.name()) : r;
    }

    /** name -> effective resource of every subscribed one; the snapshot's own map when that is the answer. */
    Map<String, VersionedResource> effectiveDesired(ResourceSnapshot snapshot) {
      if (wildcard && nacked.isEmpty()) {
        return snapshot.resources(typeUrl);
      }
      Map<String, VersionedResource> out = new LinkedHashMap<>();
      for (VersionedResource r : desired(snapshot)) {
        VersionedResource e = effective(r);
        if (e != null) {
          out.put(e.name(), e);
        }
      }
      return out;
    }

    /** Nothing to send: the client holds exactly the snapshot's resources of this type. */
    boolean inSync(ResourceSnapshot snapshot) {
      return responded && acked.isSharing(snapshot.resources(typeUrl));
    }

    boolean holds(VersionedResource r) {
      VersionedResource held = acked.get(r.name());
      return held != null && held.version().equals(r.version());
    }
  }

  SotwStream(StreamContext ctx, ServerCallStreamObserver<DiscoveryResponse> out, String service,
      String fixedTypeUrl, List<X509Certificate> clientChain) {
    super(ctx, Protocol.SOTW, out, service, fixedTypeUrl, clientChain);
  }

  @Override
  State newTypeState(String typeUrl) {
    return new State(typeUrl);
  }

  @Override
  Node nodeOf(DiscoveryRequest request) {
    return request.hasNode() ? request.getNode() : null;
  }

  @Override
  String typeUrlOf(DiscoveryRequest request) {
    return request.getTypeUrl();
  }

  @Override
  String responseNonceOf(DiscoveryRequest request) {
    return request.getResponseNonce();
  }

  @Override
  void apply(State s, DiscoveryRequest request, SnapshotStore.Published current) {
    List<String> names = request.getResourceNamesList();
    // Empty lists are the legacy wildcard (Listener and Cluster only) until a request names
    // something; after that, an empty list unsubscribes from everything (xDS protocol).
    s.explicit |= !names.isEmpty();
    boolean wasWildcard = s.wildcard;
    boolean resubscribed = s.setNames(names, current);
    s.wildcard = s.namedWildcard || (!s.explicit && s.fullState);
    resubscribed |= wasWildcard != s.wildcard;
    s.resubscribedInFlight |= resubscribed && s.inflight != null;
    String nonce = request.getResponseNonce();
    if (s.inflightNonce != null && s.inflightNonce.equals(nonce)) {
      if (request.hasErrorDetail()) {
        for (VersionedResource r : s.inflight.values()) {
          if (!s.holds(r)) {
            s.nacked.put(r.name(), r.version());
          }
        }
        nacked(s, request.getErrorDetail().getMessage());
      } else {
        // What was sent may name resources unsubscribed since.
        resubscribed |= s.resubscribedInFlight;
        if (s.inflightHeld != null) {
          s.acked.share(s.inflightHeld);
        } else if (s.fullState) {
          s.acked.replaceWith(s.inflight);
        } else {
          s.acked.putAll(s.inflight);
        }
        acked(s);
      }
      s.resendAfterAck.forEach(s.acked::remove);
      s.resendAfterAck.clear();
      s.inflight = null;
      s.inflightHeld = null;
      s.resubscribedInFlight = false;
    } else if (nonce.isEmpty() && !s.responded && current != null && !request.getVersionInfo().isEmpty()) {
      // A reconnecting client names the version it holds; if that is the current set, it is done.
      Map<String, VersionedResource> desired = s.effectiveDesired(current.snapshot());
      if (request.getVersionInfo().equals(setVersion(desired.values()))) {
        s.acked.replaceWith(desired);
        s.ackedVersion = request.getVersionInfo();
        s.responded = true;
      }
    }
    if (resubscribed && !s.wildcard) {
      // Forget what the client dropped, so subscribing again brings it back.
      s.acked.retainNames(s::subscribes);
    }
    if (current != null) {
      s.acked.shareIfEqual(current.snapshot().resources(s.typeUrl));
    }
  }

  @Override
  boolean pushAdditions(State s, SnapshotStore.Published current) {
    ResourceSnapshot snapshot = current.snapshot();
    if (s.inSync(snapshot)) {
      return false;
    }
    return s.fullState ? pushFullState(s, current) : pushChanged(s, current);
  }

  /** Listener and Cluster: the whole subscribed set, whenever any of it changed. */
  private boolean pushFullState(State s, SnapshotStore.Published current) {
    Map<String, VersionedResource> desired = s.effectiveDesired(current.snapshot());
    SnapshotStore.TypeChange change = current.change(s.typeUrl);
    if (s.responded && change != null && desired == current.snapshot().resources(s.typeUrl)
        && s.acked.isSharing(change.from()) && change.removed().isEmpty()) {
      // The client holds the previous snapshot's set: it gets the current one, as it is.
      if (change.changed().isEmpty()) {
        s.acked.share(desired);
        return false;
      }
      respond(s, current, desired, current.snapshot().typeVersion(s.typeUrl), desired);
      return true;
    }
    if (s.responded && desired.values().stream().allMatch(s::holds)) {
      return false;
    }
    if (!desired.keySet().containsAll(s.acked.names())) {
      // Keep what is being removed until everything added is in place (removals go last).
      Map<String, VersionedResource> holding = new TreeMap<>(desired);
      s.acked.asMap().forEach(holding::putIfAbsent);
      respond(s, current, holding, setVersion(holding.values()), null);
    } else if (desired == current.snapshot().resources(s.typeUrl)) {
      respond(s, current, desired, current.snapshot().typeVersion(s.typeUrl), desired);
    } else {
      respond(s, current, desired, setVersion(desired.values()), null);
    }
    return true;
  }

  /** Other types: only the subscribed resources the client does not hold at their current version. */
  private boolean pushChanged(State s, SnapshotStore.Published current) {
    SnapshotStore.TypeChange change = current.change(s.typeUrl);
    if (change != null && s.nacked.isEmpty() && s.acked.isSharing(change.from()) && change.removed().isEmpty()
        && change.changed().stream().allMatch(r -> s.subscribes(r.name()))) {
      // The client holds, and subscribes to, all of the previous snapshot's resources of this
      // type and every changed one: the change list is its answer, found without a scan.
      Map<String, VersionedResource> all = current.snapshot().resources(s.typeUrl);
      if (change.changed().isEmpty()) {
        s.acked.share(all);
        return false;
      }
      Map<String, VersionedResource> changes = new LinkedHashMap<>();
      change.changed().forEach(r -> changes.put(r.name(), r));
      respond(s, current, changes, current.snapshot().typeVersion(s.typeUrl), all);
      return true;
    }
    Map<String, VersionedResource> all = current.snapshot().resources(s.typeUrl);
    if (s.acked.isEmpty() && s.nacked.isEmpty() && !all.isEmpty() && s.subscribesExactly(all)) {
      // A client holding nothing that wants everything (a first request, a reconnect storm): the
      // snapshot's own map is the answer, and what it holds after the ACK.
      respond(s, current, all, current.snapshot().typeVersion(s.typeUrl), all);
      return true;
    }
    return pushChangedByScan(s, current);
  }

  private boolean pushChangedByScan(State s, SnapshotStore.Published current) {
    long identity = 0;
    Map<String, VersionedResource> changes = null;
    for (VersionedResource r : s.desired(current.snapshot())) {
      VersionedResource e = s.effective(r);
      if (e != null) {
        identity += e.identity();
        if (!s.holds(e)) {
          if (changes == null) {
            changes = new LinkedHashMap<>();
          }
          changes.put(e.name(), e);
        }
      }
    }
    if (changes == null) {
      return false;
    }
    respond(s, current, changes, Long.toHexString(identity), null);
    return true;
  }

  @Override
  boolean pushRemovals(State s, SnapshotStore.Published current) {
    if (!s.fullState || s.inSync(current.snapshot())) {
      return false; // outside Listener and Cluster, absence from a response is not deletion
    }
    Map<String, VersionedResource> desired = s.effectiveDesired(current.snapshot());
    if (desired.keySet().containsAll(s.acked.names())) {
      return false;
    }
    respond(s, current, desired, setVersion(desired.values()), null);
    return true;
  }

  @Override
  void resend(State s, String name) {
    s.acked.remove(name);
    if (s.inflightNonce != null) {
      s.resendAfterAck.add(name);
    }
  }

  /** @param heldAfterAck the snapshot map the client holds once it ACKs, if that is known */
  private void respond(State s, SnapshotStore.Published current, Map<String, VersionedResource> resources,
      String versionInfo, Map<String, VersionedResource> heldAfterAck) {
    if (TypeUrls.CLUSTER.equals(s.typeUrl)) {
      rewarm(resources.values().stream().filter(r -> s.acked.get(r.name()) != null && !s.holds(r)).toList());
    }
    String nonce = nextNonce();
    DiscoveryResponse.Builder response = DiscoveryResponse.newBuilder()
        .setVersionInfo(versionInfo)
        .setTypeUrl(s.typeUrl)
        .setNonce(nonce);
    for (VersionedResource r : resources.values()) {
      response.addResources(r.resource());
    }
    DiscoveryResponse built = response.build();
    s.inflight = resources;
    s.inflightHeld = heldAfterAck;
    send(s, nonce, versionInfo, built, built.getSerializedSize(), current,
        Collections.unmodifiableCollection(resources.values()), List.of());
  }

  private static String setVersion(Iterable<VersionedResource> resources) {
    return Long.toHexString(ResourceSnapshot.setIdentity(resources));
  }
}
