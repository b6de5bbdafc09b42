package dev.selat.consul;

/**
 * The index of one blocking-query watch, following Consul's documented rules ("Blocking Queries", implementation
 * details): a returned index lower than the previous one resets the watch (the next query is a plain read, without
 * index); a returned index below 1 is replaced by 1, so that index 0 (which never blocks) is never sent. Not
 * thread-safe: owned by its watch.
 */
final class BlockingIndex {
  private long index;

  /** The index to send, or 0 for a plain (non-blocking) read: the first query and the one after a reset. */
  long next() {
    return index;
  }

  /** Records the X-Consul-Index of a successful response; returns true when it went backwards and the watch was reset. */
  boolean update(long returned) {
    if (returned < 1) {
      // A Consul bug, documented as seen in the wild: 0 would make the next query return at once, forever.
      index = 1;
      return false;
    }
    if (returned < index) {
      index = 0;
      return true;
    }
    index = returned;
    return false;
  }
}
