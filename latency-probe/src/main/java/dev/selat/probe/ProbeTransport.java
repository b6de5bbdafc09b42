package dev.selat.probe;

/** How a peer is being probed: UDP echo, or a TCP exchange when UDP gets no answers. */
public enum ProbeTransport {
  UDP,
  TCP
}
