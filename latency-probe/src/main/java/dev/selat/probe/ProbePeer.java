package dev.selat.probe;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;

/**
 * A peer probe agent to measure: its site, where its responder listens, and the link or path of links the probes
 * cross ({@code leased-line}, {@code vpn}, {@code leased-line+vpn}: configuration, not code).
 */
public record ProbePeer(String siteId, InetSocketAddress udp, InetSocketAddress tcp, String path) {
  public ProbePeer {
    requireNonNull(siteId, "siteId");
    requireNonNull(udp, "udp");
    requireNonNull(tcp, "tcp");
    requireNonNull(path, "path");
    if (siteId.isBlank()) {
      throw new IllegalArgumentException("siteId: must not be blank");
    }
    if (path.isBlank()) {
      throw new IllegalArgumentException("path: must not be blank (e.g. leased-line, vpn, leased-line+vpn)");
    }
    if (udp.isUnresolved() || tcp.isUnresolved()) {
      throw new IllegalArgumentException("udp/tcp: addresses must be resolved, got " + udp + " / " + tcp);
    }
  }
}
