package dev.selat.controlplane.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Where the control plane listens: xDS gRPC (default 0.0.0.0:18000), admin HTTP (default 0.0.0.0:18080) and, when
 * configured, the policy API on a port of its own ({@link ApiPort}; else it shares the xDS port).
 */
public record Ports(Endpoint xds, Endpoint admin, Optional<ApiPort> api) {
  public static final Ports DEFAULT = new Ports(new Endpoint("0.0.0.0", 18000), new Endpoint("0.0.0.0", 18080));

  public Ports {
    requireNonNull(xds, "xds");
    requireNonNull(admin, "admin");
    requireNonNull(api, "api");
  }

  public Ports(Endpoint xds, Endpoint admin) {
    this(xds, admin, Optional.empty());
  }
}
