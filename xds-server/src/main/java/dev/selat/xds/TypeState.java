package dev.selat.xds;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/**
 * What one stream knows of one resource type, common to SotW and Delta: the subscription, the
 * versions the client rejected, and the one response waiting for its ACK. Owned by the stream's
 * executor.
 */
abstract class TypeState {
  final String typeUrl;
  boolean wildcard;
  /** Subscribed names, sorted (responses list resources in name order), deduplicated. */
  private List<String> names = List.of();
  /** The last names given to {@link #setNames} included "*" (SotW's explicit wildcard). */
  boolean namedWildcard;
  /** The subscription changed while a response was in flight, so it may carry names unsubscribed since. */
  boolean resubscribedInFlight;
  /** name -> version the client rejected; not resent until the resource changes. */
  final Map<String, String> nacked = new HashMap<>();
  /** The nonce of the response waiting for its ACK, if any. */
  String inflightNonce;
  /** The nonce of the latest response sent, ACKed or not; a request answering another one is stale. */
  String sentNonce;
  String sentVersion;
  /** The version of the latest response ACKed (shown by {@link #status}, not used to decide anything). */
  String ackedVersion;
  XdsStreamStatus.Nack lastNack;
  Instant inflightPublishedAt;
  boolean responded;
  /** Names to send again once the response in flight is ACKed or NACKed: it was built before they were asked for. */
  final Set<String> resendAfterAck = new HashSet<>();

  TypeState(String typeUrl) {
    this.typeUrl = typeUrl;
  }

  List<String> names() {
    return names;
  }

  boolean subscribes(String name) {
    return wildcard || Collections.binarySearch(names, name) >= 0;
  }

  /**
   * Sets the subscribed names ("*" excluded, see {@link #namedWildcard}); false, and no rebuild,
   * when they are the ones already set. SotW repeats the whole list on every request, in the
   * same order, so that case costs one comparison per name. When the names are exactly the
   * snapshot's, the snapshot's own sorted list is kept (shared by every stream subscribing to
   * all of them); otherwise names the snapshot has are stored as its own strings.
   */
  boolean setNames(Collection<String> requested, SnapshotStore.Published current) {
    boolean star = false;
    boolean sameOrder = true;
    Iterator<String> stored = names.iterator();
    for (String name : requested) {
      if ("*".equals(name)) {
        star = true;
      } else if (sameOrder && !(stored.hasNext() && stored.next().equals(name))) {
        sameOrder = false;
      }
    }
    namedWildcard = star;
    if (sameOrder && !stored.hasNext()) {
      return false;
    }
    List<String> sorted = sortedDistinct(requested);
    if (sorted.equals(names)) {
      return false;
    }
    List<String> snapshotNames = current == null ? List.of() : current.snapshot().names(typeUrl);
    if (sorted.equals(snapshotNames)) {
      names = snapshotNames;
      return true;
    }
    Map<String, VersionedResource> known = current == null ? Map.of() : current.snapshot().resources(typeUrl);
    String[] own = sorted.toArray(String[]::new);
    for (int i = 0; i < own.length; i++) {
      VersionedResource r = known.get(own[i]);
      if (r != null) {
        own[i] = r.name();
      }
    }
    names = List.of(own);
    return true;
  }

  private static List<String> sortedDistinct(Collection<String> requested) {
    String[] all = requested.stream().filter(name -> !"*".equals(name)).toArray(String[]::new);
    Arrays.sort(all);
    int n = 0;
    for (int i = 0; i < all.length; i++) {
      if (n == 0 || !all[i].equals(all[n - 1])) {
        all[n++] = all[i];
      }
    }
    return Arrays.asList(all).subList(0, n);
  }

  /** True when every resource of the type in {@code all} is subscribed, and nothing else. */
  boolean subscribesExactly(Map<String, VersionedResource> all) {
    if (wildcard) {
      return true;
    }
    if (names.size() != all.size()) {
      return false;
    }
    for (String name : names) {
      if (!all.containsKey(name)) {
        return false;
      }
    }
    return true;
  }

  boolean isNacked(VersionedResource r) {
    return r.version().equals(nacked.get(r.name()));
  }

  /** The subscribed resources present in {@code snapshot}, in name order; a view, not a copy. */
  Iterable<VersionedResource> desired(ResourceSnapshot snapshot) {
    Map<String, VersionedResource> all = snapshot.resources(typeUrl);
    if (wildcard) {
      return all.values();
    }
    return () -> new Iterator<>() {
      private final Iterator<String> subscribed = names.iterator();
      private VersionedResource next = advance();

      private VersionedResource advance() {
        while (subscribed.hasNext()) {
          VersionedResource r = all.get(subscribed.next());
          if (r != null) {
            return r;
          }
        }
        return null;
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public VersionedResource next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        VersionedResource r = next;
        next = advance();
        return r;
      }
    };
  }

  XdsStreamStatus.TypeStatus status() {
    return new XdsStreamStatus.TypeStatus(typeUrl, Optional.ofNullable(sentVersion), Optional.ofNullable(sentNonce),
        inflightNonce != null, Optional.ofNullable(ackedVersion), Optional.ofNullable(lastNack),
        XdsStreamStatus.Subscription.of(wildcard, names));
  }

  void forgetNacksOfChanged(ResourceSnapshot snapshot) {
    if (!nacked.isEmpty()) {
      Map<String, VersionedResource> all = snapshot.resources(typeUrl);
      nacked.entrySet().removeIf(e -> !isSameVersion(all.get(e.getKey()), e.getValue()));
    }
  }

  private static boolean isSameVersion(VersionedResource r, String version) {
    return r != null && r.version().equals(version);
  }
}
