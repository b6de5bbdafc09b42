package dev.selat.controlplane.config;

import static java.util.Objects.requireNonNull;

/** Where the control plane listens: xDS gRPC (default 0.0.0.0:18000) and admin HTTP (default 0.0.0.0:18080). */
public record Ports(Endpoint xds, Endpoint admin) {
  public static final Ports DEFAULT = new Ports(new Endpoint("0.0.0.0", 18000), new Endpoint("0.0.0.0", 18080));

  public Ports {
    requireNonNull(xds, "xds");
    requireNonNull(admin, "admin");
  }
}
