package dev.selat.controlplane.routing;

import static java.util.Objects.requireNonNull;

/** An endpoint as sent to one client site: the address that site connects to, its weight and health. */
public record RoutedEndpoint(String id, HostPort address, int weight, Health health) {
  public RoutedEndpoint {
    requireNonNull(id, "id");
    requireNonNull(address, "address");
    requireNonNull(health, "health");
  }
}
