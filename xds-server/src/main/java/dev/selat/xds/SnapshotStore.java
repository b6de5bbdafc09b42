package dev.selat.xds;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest snapshot of every group and the streams watching each group. Publishing replaces the
 * snapshot and nudges the watchers; watchers read the latest snapshot when they get to run, so
 * bursts of publishes coalesce per stream.
 */
final class SnapshotStore implements SnapshotPublisher {
  private static final Logger log = LoggerFactory.getLogger(SnapshotStore.class);

  /** A snapshot and when it was published (the start of publish-to-ACK latency). */
  record Published(ResourceSnapshot snapshot, Instant publishedAt) {}

  /** A stream of a group; told, without any lock held, that the group's snapshot changed. */
  interface Watcher {
    void snapshotChanged();
  }

  private static final class Group {
    volatile Published current;
    final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
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
    Group group = groups.computeIfAbsent(groupName, g -> new Group());
    // Publishers of one group are serialized so the emptiness check sees the snapshot it replaces.
    synchronized (group) {
      if (!allowEmpty && group.current != null) {
        rejectEmptying(groupName, group.current.snapshot(), snapshot, TypeUrls.CLUSTER, "clusters (CDS)");
        rejectEmptying(groupName, group.current.snapshot(), snapshot, TypeUrls.LISTENER, "listeners (LDS)");
      }
      group.current = new Published(snapshot, clock.instant());
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

  /** The group's latest snapshot, or null before its first publish. */
  Published current(String group) {
    Group g = groups.get(group);
    return g == null ? null : g.current;
  }

  void watch(String group, Watcher watcher) {
    groups.computeIfAbsent(group, g -> new Group()).watchers.add(watcher);
  }

  void unwatch(String group, Watcher watcher) {
    Group g = groups.get(group);
    if (g != null) {
      g.watchers.remove(watcher);
    }
  }
}
