package dev.selat.xds;

import java.util.concurrent.atomic.AtomicInteger;

/** Callbacks that count streams opened and closed: a stream whose close never ran shows as one more opened. */
final class StreamCounts implements XdsCallbacks {
  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger closed = new AtomicInteger();

  @Override
  public void onStreamOpen(XdsStreamInfo stream) {
    opened.incrementAndGet();
  }

  @Override
  public void onStreamClose(XdsStreamInfo stream) {
    closed.incrementAndGet();
  }
}
