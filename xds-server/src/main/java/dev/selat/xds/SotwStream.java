package dev.selat.xds;

import dev.selat.xds.XdsStreamInfo.Protocol;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.ServerCallStreamObserver;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.HashMap;
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

  static final class State extends XdsStream.TypeState {
    final boolean fullState;
    /** What the client holds, by name, as of its last ACK. */
    Map<String, VersionedResource> acked = new HashMap<>();
    /** What the client holds once it ACKs the response in flight. */
    Map<String, VersionedResource> inflight;
    boolean seen;

    State(String typeUrl) {
      super(typeUrl);
      this.fullState = TypeUrls.isFullState(typeUrl);
    }

    /** The resource the client should hold: a NACKed version falls back to the ACKed one. */
    VersionedResource effective(VersionedResource r) {
      return isNacked(r) ? acked.get(r.name()) : r;
    }

    Map<String, VersionedResource> effectiveDesired(ResourceSnapshot snapshot) {
      Map<String, VersionedResource> out = new LinkedHashMap<>();
      for (VersionedResource r : desired(snapshot)) {
        VersionedResource e = effective(r);
        if (e != null) {
          out.put(e.name(), e);
        }
      }
      return out;
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
  void apply(State s, DiscoveryRequest request, SnapshotStore.Published current) {
    List<String> names = request.getResourceNamesList();
    // An empty list on the first request is the legacy wildcard, for Listener and Cluster only.
    s.wildcard = names.contains("*") || (names.isEmpty() && s.fullState && (!s.seen || s.wildcard));
    s.names.clear();
    for (String name : names) {
      if (!"*".equals(name)) {
        s.names.add(name);
      }
    }
    s.seen = true;
    String nonce = request.getResponseNonce();
    if (s.inflightNonce != null && s.inflightNonce.equals(nonce)) {
      if (request.hasErrorDetail()) {
        for (VersionedResource r : s.inflight.values()) {
          VersionedResource held = s.acked.get(r.name());
          if (held == null || !held.version().equals(r.version())) {
            s.nacked.put(r.name(), r.version());
          }
        }
        nacked(s, request.getErrorDetail().getMessage());
      } else {
        if (s.fullState) {
          s.acked = s.inflight;
        } else {
          s.acked.putAll(s.inflight);
        }
        acked(s);
      }
      s.inflight = null;
    } else if (nonce.isEmpty() && !s.responded && current != null && !request.getVersionInfo().isEmpty()) {
      // A reconnecting client names the version it holds; if that is the current set, it is done.
      Map<String, VersionedResource> desired = s.effectiveDesired(current.snapshot());
      if (request.getVersionInfo().equals(setVersion(desired.values()))) {
        s.acked = new HashMap<>(desired);
        s.responded = true;
      }
    }
    if (!s.wildcard) {
      // Forget what the client dropped, so subscribing again brings it back.
      s.acked.keySet().retainAll(s.names);
    }
  }

  @Override
  boolean hasAdditions(State s, ResourceSnapshot snapshot) {
    Map<String, VersionedResource> desired = s.effectiveDesired(snapshot);
    if (!s.responded && (s.fullState || !desired.isEmpty())) {
      return true;
    }
    for (VersionedResource r : desired.values()) {
      if (isNew(s, r)) {
        return true;
      }
    }
    return false;
  }

  @Override
  boolean hasRemovals(State s, ResourceSnapshot snapshot) {
    if (!s.fullState) {
      return false; // outside Listener and Cluster, absence from a response is not deletion
    }
    return !s.effectiveDesired(snapshot).keySet().containsAll(s.acked.keySet());
  }

  @Override
  void sendAdditions(State s, SnapshotStore.Published current) {
    Map<String, VersionedResource> desired = s.effectiveDesired(current.snapshot());
    if (s.fullState) {
      // Keep what is being removed until everything added is in place (removals go last).
      Map<String, VersionedResource> holding = new TreeMap<>(desired);
      s.acked.forEach(holding::putIfAbsent);
      respond(s, current, holding, setVersion(holding.values()));
    } else {
      Map<String, VersionedResource> changed = new LinkedHashMap<>();
      for (VersionedResource r : desired.values()) {
        if (isNew(s, r)) {
          changed.put(r.name(), r);
        }
      }
      respond(s, current, changed, setVersion(desired.values()));
    }
  }

  @Override
  void sendRemovals(State s, SnapshotStore.Published current) {
    Map<String, VersionedResource> desired = s.effectiveDesired(current.snapshot());
    respond(s, current, desired, setVersion(desired.values()));
  }

  private static boolean isNew(State s, VersionedResource r) {
    VersionedResource held = s.acked.get(r.name());
    return held == null || !held.version().equals(r.version());
  }

  private void respond(State s, SnapshotStore.Published current, Map<String, VersionedResource> resources,
      String versionInfo) {
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
    send(s, nonce, built, built.getSerializedSize(), current,
        Collections.unmodifiableCollection(resources.values()), List.of());
  }

  private static String setVersion(Iterable<VersionedResource> resources) {
    return Long.toHexString(ResourceSnapshot.setIdentity(resources));
  }
}
