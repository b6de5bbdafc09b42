package dev.selat.xds;

/**
 * Where the control plane hands resources to the server. Publishing is thread-safe; every stream
 * of the group converges on the latest snapshot (intermediate ones may be skipped).
 */
public interface SnapshotPublisher {

  /**
   * Replaces the group's resources.
   *
   * @throws EmptySnapshotException if the group had clusters or listeners and this snapshot has
   *     none: an empty CDS or LDS wipes every proxy's configuration, which is almost always a
   *     build error upstream; use {@link #publishAllowingEmpty} when it is meant
   */
  void publish(String group, ResourceSnapshot snapshot);

  /** Replaces the group's resources even when that removes every cluster or listener. */
  void publishAllowingEmpty(String group, ResourceSnapshot snapshot);

  /** Thrown when a snapshot would empty CDS or LDS for a group that had resources there. */
  final class EmptySnapshotException extends IllegalArgumentException {
    EmptySnapshotException(String message) {
      super(message);
    }
  }
}
