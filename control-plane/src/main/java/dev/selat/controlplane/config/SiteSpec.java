package dev.selat.controlplane.config;

import static java.util.Objects.requireNonNull;

import dev.selat.consul.SiteConfig;
import java.time.Duration;
import java.util.Optional;

/**
 * One site: its id and region, how consul-bridge watches its Consul (which also holds the staleness budget and mode),
 * how long the control plane waits at start for its first sync before serving without it ({@code consul.startBudget()}),
 * and its gateway, if clients in other sites reach it through one (else they reach its instances directly: flat).
 */
public record SiteSpec(String id, String region, SiteConfig consul, Duration startBudget, Optional<GatewaySpec> gateway) {
  public SiteSpec {
    requireNonNull(id, "id");
    requireNonNull(region, "region");
    requireNonNull(consul, "consul");
    requireNonNull(startBudget, "startBudget");
    requireNonNull(gateway, "gateway");
    if (!consul.siteId().equals(id) || !consul.region().equals(region) || !consul.startBudget().equals(startBudget)) {
      throw new IllegalArgumentException("site " + id + ": id, region and startBudget must match its consul SiteConfig");
    }
  }

  public SiteSpec(SiteConfig consul, Optional<GatewaySpec> gateway) {
    this(consul.siteId(), consul.region(), consul, consul.startBudget(), gateway);
  }
}
