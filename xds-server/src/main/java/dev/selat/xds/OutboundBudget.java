package dev.selat.xds;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * Bounds the bytes of responses that all streams of one server have handed to the transport and
 * that it has not yet written out. grpc-java's readiness keeps one stream from queueing a second
 * response, but not 10,000 streams from queueing one each: in a reconnect storm every client asks
 * for everything at once, and 10,000 first responses of 300 KB are 3 GB of direct memory.
 *
 * <p>A stream checks for room before it builds responses ({@link #hasRoom}), counts what its
 * transport could not write at once ({@link #take}) and gives it back once the transport is ready
 * again ({@link #give}). A stream that finds no room is queued and woken, first in first out, as
 * room frees; each woken stream that finds room wakes the next, so a release of many bytes lets
 * several streams through. The bound is soft by the responses of the streams that checked at the
 * same time, at most one push per executor thread.
 *
 * <p>Bytes still unwritten after {@link #STALLED_AFTER} belong to a client that stopped reading,
 * not to a storm: they stop counting, so a few stalled clients cannot hold every other stream
 * back (each still holds at most the one response its transport took, until its connection goes).
 * Thread-safe.
 */
final class OutboundBudget {
  static final Duration STALLED_AFTER = Duration.ofSeconds(30);

  /** One stream's unwritten bytes, counted from the first of them. */
  static final class Ticket {
    private long bytes;
    private final long takenAt;
    private boolean counting = true;

    private Ticket(long bytes, long takenAt) {
      this.bytes = bytes;
      this.takenAt = takenAt;
    }
  }

  private final long limit;
  private final LongSupplier nanoTime;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  /** Tickets in the order taken; given ones leave when they reach the head. */
  private final ArrayDeque<Ticket> tickets = new ArrayDeque<>();
  private long queued;
  private long waits;
  private long stalled;

  /** @param limit bytes queued in the transport across all streams, > 0 */
  OutboundBudget(long limit, LongSupplier nanoTime) {
    if (limit <= 0) {
      throw new IllegalArgumentException("maxQueuedResponseBytes: must be > 0, got " + limit);
    }
    this.limit = limit;
    this.nanoTime = nanoTime;
  }

  /**
   * True when a stream may send now; otherwise {@code onRoom} runs (on the thread that frees
   * room) once it may try again. A caller waits in at most one queue position at a time.
   */
  boolean hasRoom(Runnable onRoom) {
    Runnable next;
    synchronized (this) {
      if (queued >= limit) {
        stopCountingStalled();
      }
      if (queued >= limit) {
        waiting.add(onRoom);
        waits++;
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

  /** Counts {@code bytes} a stream's transport has not written; adds them to its {@code open} ticket if it has one. */
  synchronized Ticket take(Ticket open, long bytes) {
    queued += bytes;
    if (open != null && open.counting) {
      open.bytes += bytes;
      return open;
    }
    Ticket ticket = new Ticket(bytes, nanoTime.getAsLong());
    tickets.add(ticket);
    return ticket;
  }

  /** The stream's transport wrote what it held (or the stream closed). */
  void give(Ticket ticket) {
    synchronized (this) {
      if (ticket.counting) {
        ticket.counting = false;
        queued -= ticket.bytes;
      }
      while (!tickets.isEmpty() && !tickets.peek().counting) {
        tickets.poll();
      }
    }
    passOn();
  }

  private void stopCountingStalled() {
    long now = nanoTime.getAsLong();
    while (!tickets.isEmpty()) {
      Ticket head = tickets.peek();
      if (head.counting && now - head.takenAt < STALLED_AFTER.toNanos()) {
        return;
      }
      tickets.poll();
      if (head.counting) {
        head.counting = false;
        queued -= head.bytes;
        stalled++;
      }
    }
  }

  synchronized long queued() {
    return queued;
  }

  synchronized int waiting() {
    return waiting.size();
  }

  /** Times a stream found no room and was queued. */
  synchronized long waits() {
    return waits;
  }

  /** Tickets that stopped counting because their bytes stayed unwritten for {@link #STALLED_AFTER}. */
  synchronized long stalled() {
    return stalled;
  }
}
