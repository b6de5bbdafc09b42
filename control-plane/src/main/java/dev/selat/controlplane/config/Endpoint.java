package dev.selat.controlplane.config;

import static java.util.Objects.requireNonNull;

/** An address to listen on: a host or IP literal and a port (0: an ephemeral port, for tests). */
public record Endpoint(String address, int port) {
  public Endpoint {
    requireNonNull(address, "address");
    if (address.isBlank()) {
      throw new IllegalArgumentException("address: must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: must be 0..65535, was " + port);
    }
  }

  @Override
  public String toString() {
    return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
  }
}
