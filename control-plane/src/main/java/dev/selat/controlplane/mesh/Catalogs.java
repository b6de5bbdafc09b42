package dev.selat.controlplane.mesh;

import dev.selat.consul.HealthStatus;
import dev.selat.consul.ServiceEntry;
import dev.selat.consul.ServiceInstance;
import dev.selat.consul.SiteCatalog;
import dev.selat.consul.StalenessMode;
import dev.selat.consul.SyncState;
import dev.selat.controlplane.routing.CheckStatus;
import dev.selat.controlplane.routing.ExpiredMode;
import dev.selat.controlplane.routing.HostPort;
import dev.selat.controlplane.routing.Instance;
import dev.selat.controlplane.routing.SiteInput;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/** consul-bridge's {@link SiteCatalog} in the brain's own terms: the one place a Consul type meets routing. */
public final class Catalogs {
  private Catalogs() {}

  /** The catalog's services that {@code routed} accepts (all but the probe agents' own service, say). */
  public static SiteInput toSiteInput(SiteCatalog catalog, StalenessMode mode, Instant now, Predicate<String> routed) {
    Map<String, List<Instance>> services = new TreeMap<>();
    for (ServiceEntry entry : catalog.services().values()) {
      if (!routed.test(entry.name())) {
        continue;
      }
      services.put(entry.name(), entry.instances().stream().map(Catalogs::instance).toList());
    }
    return new SiteInput(catalog.siteId(), catalog.region(), services, catalog.freshness().age(now),
        catalog.freshness().state() == SyncState.EXPIRED, expiredMode(mode));
  }

  static Instance instance(ServiceInstance i) {
    return new Instance(i.id(), new HostPort(i.address(), i.port()),
        i.wanAddress().map(w -> new HostPort(w.address(), w.port())),
        status(i.status()), i.weights().passing(), i.weights().warning(), i.meta());
  }

  static CheckStatus status(HealthStatus status) {
    return switch (status) {
      case PASSING -> CheckStatus.PASSING;
      case WARNING -> CheckStatus.WARNING;
      case CRITICAL -> CheckStatus.CRITICAL;
      case MAINTENANCE -> CheckStatus.MAINTENANCE;
    };
  }

  static ExpiredMode expiredMode(StalenessMode mode) {
    return switch (mode) {
      case FREEZE -> ExpiredMode.FREEZE;
      case DECAY -> ExpiredMode.DECAY;
      case DROP -> ExpiredMode.DROP;
    };
  }
}
