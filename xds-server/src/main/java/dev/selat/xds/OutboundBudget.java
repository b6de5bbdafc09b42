package dev.selat.xds;

import java.util.ArrayDeque;

/**
 * Bounds the bytes of responses that all streams of one server have handed to the transport and
 * that it has not yet written out. grpc-java's readiness keeps one stream from queueing a second
 * response, but not 10,000 streams from queueing one each: in a reconnect storm every client asks
 * for everything at once, and 10,000 first responses of 300 KB are 3 GB of direct memory.
 *
 * <p>A stream checks for room before it builds responses ({@link #hasRoom}), counts what it sends
 * ({@link #take}) and gives it back once its transport is ready again ({@link #give}). A stream
 * that finds no room is queued and woken, first in first out, as room frees; each woken stream
 * that finds room wakes the next, so a release of many bytes lets several streams through. The
 * bound is soft by the responses of the streams that checked at the same time, at most one push
 * per executor thread. Thread-safe.
 */
final class OutboundBudget {
  private final long limit;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private long queued;

  /** @param limit bytes queued in the transport across all streams, > 0 */
  OutboundBudget(long limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("maxQueuedResponseBytes: must be > 0, got " + limit);
    }
    this.limit = limit;
  }

  /**
   * True when a stream may send now; otherwise {@code onRoom} runs (on the thread that frees
   * room) once it may try again. A caller waits in at most one queue position at a time.
   */
  boolean hasRoom(Runnable onRoom) {
    Runnable next;
    synchronized (this) {
      if (queued >= limit) {
        waiting.add(onRoom);
        return false;
      }
      next = waiting.poll();
    }
    if (next != null) {
      next.run(); // room left: the next in line tries too
    }
    return true;
  }

  /** For a woken stream that will not send after all: the next in line tries instead, if there is room. */
  void passOn() {
    Runnable next;
    synchronized (this) {
      next = queued < limit ? waiting.poll() : null;
    }
    if (next != null) {
      next.run();
    }
  }

  synchronized void take(long bytes) {
    queued += bytes;
  }

  void give(long bytes) {
    synchronized (this) {
      queued -= bytes;
    }
    passOn();
  }

  synchronized long queued() {
    return queued;
  }

  synchronized int waiting() {
    return waiting.size();
  }
}
