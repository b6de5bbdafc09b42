package dev.selat.xds;

import java.util.Collection;

/**
 * Observes streams. Methods run on the stream's serial executor: keep them short and never block.
 * Every method has a no-op default.
 */
public interface XdsCallbacks {
  XdsCallbacks NONE = new XdsCallbacks() {};

  /** The stream's first request arrived and its node was mapped to a group. */
  default void onStreamOpen(XdsStreamInfo stream) {}

  default void onStreamClose(XdsStreamInfo stream) {}

  /**
   * A response was sent.
   *
   * @param resources the resources it carries
   * @param removed names it removes (Delta only)
   */
  default void onResponse(
      XdsStreamInfo stream, String typeUrl, Collection<VersionedResource> resources, Collection<String> removed) {}

  default void onAck(XdsStreamInfo stream, String typeUrl, String nonce) {}

  default void onNack(XdsStreamInfo stream, String typeUrl, String nonce, String errorDetail) {}
}
