package dev.selat.xds;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest snapshot of every group and the streams watching each group. Publishing replaces the
 * snapshot and nudges the watchers; watchers read the latest snapshot when they get to run, so
 * bursts of publishes coalesce per stream.
 */
final class SnapshotStore implements SnapshotPublisher {
  private static final Logger log = LoggerFactory.getLogger(SnapshotStore.class);

  /**
   * A snapshot, when it was published (the start of publish-to-ACK latency), and per type what
   * changed since the snapshot before it: computed once here, it lets every stream that was in
   * sync with the previous snapshot find its changes without scanning all resources.
   */
  record Published(ResourceSnapshot snapshot, Instant publishedAt, Map<String, TypeChange> changes) {
    /** The change of one type; null when the type has no resources before or after. */
    TypeChange change(String typeUrl) {
      return changes.get(typeUrl);
    }
  }

  /**
   * One type's change between two snapshots.
   *
   * @param from the previous snapshot's resources of the type
   * @param fromVersions the previous snapshot's versions of the type
   * @param changed resources added or changed, in name order
   * @param removed names removed
   */
  record TypeChange(Map<String, VersionedResource> from, Map<String, String> fromVersions,
      List<VersionedResource> changed, List<String> removed) {}

  /** A stream of a group; told, without any lock held, that the group's snapshot changed. */
  interface Watcher {
    void snapshotChanged();
  }

  private static final class Group {
    volatile Published current;
    final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
    /** Dropped from the map (no snapshot, no watcher): whoever locked it must look the name up again. */
    boolean retired;
  }

  private final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();
  private final Clock clock;

  SnapshotStore(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public void publish(String group, ResourceSnapshot snapshot) {
    publish(group, snapshot, false);
  }

  @Override
  public void publishAllowingEmpty(String group, ResourceSnapshot snapshot) {
    publish(group, snapshot, true);
  }

  private void publish(String groupName, ResourceSnapshot snapshot, boolean allowEmpty) {
    requireNonNull(groupName, "group");
    requireNonNull(snapshot, "snapshot");
    // Publishers of one group are serialized so the emptiness check sees the snapshot it replaces.
    Group group = locked(groupName, g -> {
      if (g.current != null && g.current.snapshot().version().equals(snapshot.version())) {
        return null; // the same resources again: 10,000 streams need not wake up to find nothing
      }
      if (!allowEmpty && g.current != null) {
        rejectEmptying(groupName, g.current.snapshot(), snapshot, TypeUrls.CLUSTER, "clusters (CDS)");
        rejectEmptying(groupName, g.current.snapshot(), snapshot, TypeUrls.LISTENER, "listeners (LDS)");
      }
      ResourceSnapshot before = g.current == null ? ResourceSnapshot.empty() : g.current.snapshot();
      g.current = new Published(snapshot, clock.instant(), changes(before, snapshot));
      return g;
    });
    if (group == null) {
      return;
    }
    log.debug("group {} published {}", groupName, snapshot);
    for (Watcher watcher : group.watchers) {
      watcher.snapshotChanged();
    }
  }

  private static void rejectEmptying(
      String group, ResourceSnapshot before, ResourceSnapshot after, String typeUrl, String what) {
    if (!before.resources(typeUrl).isEmpty() && after.resources(typeUrl).isEmpty()) {
      throw new EmptySnapshotException("snapshot for group '" + group + "' has no " + what
          + " while the current one has " + before.resources(typeUrl).size()
          + "; refusing to wipe them (use publishAllowingEmpty if intended)");
    }
  }

  private static Map<String, TypeChange> changes(ResourceSnapshot before, ResourceSnapshot after) {
    Set<String> types = new HashSet<>(before.typeUrls());
    types.addAll(after.typeUrls());
    Map<String, TypeChange> changes = new HashMap<>();
    for (String type : types) {
      Map<String, VersionedResource> from = before.resources(type);
      Map<String, VersionedResource> to = after.resources(type);
      List<VersionedResource> changed = new ArrayList<>();
      for (VersionedResource r : to.values()) {
        VersionedResource old = from.get(r.name());
        if (old == null || !old.version().equals(r.version())) {
          changed.add(r);
        }
      }
      List<String> removed = new ArrayList<>();
      for (String name : from.keySet()) {
        if (!to.containsKey(name)) {
          removed.add(name);
        }
      }
      changes.put(type, new TypeChange(from, before.versions(type), List.copyOf(changed), List.copyOf(removed)));
    }
    return Map.copyOf(changes);
  }

  /** The group's latest snapshot, or null before its first publish. */
  Published current(String group) {
    Group g = groups.get(group);
    return g == null ? null : g.current;
  }

  void watch(String group, Watcher watcher) {
    locked(group, g -> g.watchers.add(watcher));
  }

  /**
   * Stops telling {@code watcher}; a group left with no watcher and no snapshot is forgotten, so nodes that name ever new
   * groups (the default mapper takes the node's own cluster field) do not grow the store without bound.
   */
  void unwatch(String group, Watcher watcher) {
    Group g = groups.get(group);
    if (g == null) {
      return;
    }
    synchronized (g) {
      g.watchers.remove(watcher);
      if (g.watchers.isEmpty() && g.current == null && !g.retired) {
        g.retired = true;
        groups.remove(group, g);
      }
    }
  }

  /** Streams watching any group. */
  int watcherCount() {
    return groups.values().stream().mapToInt(g -> g.watchers.size()).sum();
  }

  /** Groups the store knows (published or watched). */
  int groupCount() {
    return groups.size();
  }

  /** Runs {@code action} on the live group of that name (created if needed) while holding its lock. */
  private <T> T locked(String name, Function<Group, T> action) {
    while (true) {
      Group g = groups.computeIfAbsent(name, n -> new Group());
      synchronized (g) {
        if (!g.retired) {
          return action.apply(g);
        }
      }
    }
  }
}
