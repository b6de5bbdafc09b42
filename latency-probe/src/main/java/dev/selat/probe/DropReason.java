package dev.selat.probe;

import java.util.Locale;

/** Why a probe datagram (or TCP probe) was dropped; each reason is a tag value of the drop counters. */
public enum DropReason {
  /** Shorter than the fixed header. */
  TRUNCATED,
  /** Longer than the largest valid packet. */
  OVERSIZED,
  BAD_MAGIC,
  BAD_VERSION,
  /** A kind other than the one the receiver expects (a reply sent to a responder, say). */
  BAD_KIND,
  /** The length does not match the header's agent id length, or the reserved byte is set. */
  BAD_LENGTH,
  /** The agent id is empty, too long, or has characters outside [A-Za-z0-9._-]. */
  BAD_AGENT_ID,
  /** A well-formed request from an agent id that is not an allowed peer. */
  UNKNOWN_AGENT,
  /** A reply whose reflector timestamps cannot be right (negative or longer than the round trip). */
  BAD_TIMESTAMPS,
  /** A reply that matches no probe in flight: wrong source, wrong agent id, or a sequence never sent. */
  UNEXPECTED,
  /** The source exceeded its token bucket; at the prober, answers came faster than its owner thread takes them. */
  RATE_LIMITED,
  /** An unexpected exception while handling it; counted so that it is visible, never fatal. */
  ERROR;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
