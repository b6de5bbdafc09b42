package dev.selat.controlplane.routing;

import static java.util.Objects.requireNonNull;

/** An address a client can connect to. */
public record HostPort(String host, int port) {
  public HostPort {
    requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: must be 1-65535, was " + port);
    }
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
