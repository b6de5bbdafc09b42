package dev.selat.xds;

import java.time.Instant;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;

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
  /** name -> version the client rejected; not resent until the resource changes. */
  final Map<String, String> nacked = new HashMap<>();
  String inflightNonce;
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
   * Sets the subscribed names ("*" excluded); false, and no rebuild, when they are the
   * ones already set (SotW repeats the whole list on every request). Names the snapshot has are
   * stored as the snapshot's own strings, so thousands of streams naming them share them.
   */
  boolean setNames(Collection<String> requested, SnapshotStore.Published current) {
    if (isSameNames(requested)) {
      return false;
    }
    Map<String, VersionedResource> known = current == null ? Map.of() : current.snapshot().resources(typeUrl);
    TreeSet<String> sorted = new TreeSet<>();
    for (String name : requested) {
      if (!"*".equals(name)) {
        VersionedResource r = known.get(name);
        sorted.add(r != null ? r.name() : name);
      }
    }
    names = List.copyOf(sorted);
    return true;
  }

  private boolean isSameNames(Collection<String> requested) {
    if (requested.size() != names.size()) {
      return false;
    }
    BitSet seen = new BitSet(names.size());
    for (String name : requested) {
      int i = Collections.binarySearch(names, name);
      if (i < 0) {
        return false;
      }
      seen.set(i);
    }
    return seen.cardinality() == names.size(); // duplicates in the request leave a name unseen
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
