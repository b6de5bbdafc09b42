package dev.selat.probe;

import static java.util.Objects.requireNonNull;

/** One cell of an agent's row: a peer, how it is currently probed, and its estimate. */
public record PeerEstimate(ProbePeer peer, ProbeTransport transport, RttEstimate estimate) {
  public PeerEstimate {
    requireNonNull(peer, "peer");
    requireNonNull(transport, "transport");
    requireNonNull(estimate, "estimate");
  }
}
