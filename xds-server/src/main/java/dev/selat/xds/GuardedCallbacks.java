package dev.selat.xds;

import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps a failing callback from breaking the stream that called it: the failure is logged. */
final class GuardedCallbacks implements XdsCallbacks {
  private static final Logger log = LoggerFactory.getLogger(GuardedCallbacks.class);

  private final XdsCallbacks delegate;

  GuardedCallbacks(XdsCallbacks delegate) {
    this.delegate = delegate;
  }

  @Override
  public void onStreamOpen(XdsStreamInfo stream) {
    guard("onStreamOpen", () -> delegate.onStreamOpen(stream));
  }

  @Override
  public void onStreamClose(XdsStreamInfo stream) {
    guard("onStreamClose", () -> delegate.onStreamClose(stream));
  }

  @Override
  public void onResponse(XdsStreamInfo stream, String typeUrl, Collection<VersionedResource> resources,
      Collection<String> removed) {
    guard("onResponse", () -> delegate.onResponse(stream, typeUrl, resources, removed));
  }

  @Override
  public void onAck(XdsStreamInfo stream, String typeUrl, String nonce) {
    guard("onAck", () -> delegate.onAck(stream, typeUrl, nonce));
  }

  @Override
  public void onNack(XdsStreamInfo stream, String typeUrl, String nonce, String errorDetail) {
    guard("onNack", () -> delegate.onNack(stream, typeUrl, nonce, errorDetail));
  }

  private static void guard(String method, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.error("XdsCallbacks.{} failed; the stream carries on", method, e);
    }
  }
}
