package dev.selat.controlplane.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.selat.consul.CatalogDelta;
import dev.selat.consul.HealthStatus;
import dev.selat.consul.ServiceEntry;
import dev.selat.consul.ServiceInstance;
import dev.selat.consul.SiteCatalog;
import dev.selat.consul.SiteFreshness;
import dev.selat.consul.StalenessMode;
import dev.selat.consul.SyncState;
import dev.selat.consul.TaggedAddress;
import dev.selat.consul.Weights;
import dev.selat.controlplane.routing.CheckStatus;
import dev.selat.controlplane.routing.ExpiredMode;
import dev.selat.controlplane.routing.HostPort;
import dev.selat.controlplane.routing.Instance;
import dev.selat.controlplane.routing.SiteInput;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CatalogsTest {
  static final Instant NOW = Instant.parse("2026-12-03T00:00:00Z");

  static ServiceInstance instance(String id, HealthStatus status, Map<String, TaggedAddress> tagged) {
    return new ServiceInstance(id, "node-" + id, "10.0.0.1", 8080, List.of(), Map.of("protocol", "grpc"),
        new Weights(3, 2), status, tagged, Map.of(), Map.of(), false);
  }

  static SiteCatalog catalog(SiteFreshness freshness, ServiceInstance... instances) {
    Map<String, ServiceEntry> services = Map.of("catalog", new ServiceEntry("catalog", List.of(instances)));
    return new SiteCatalog("jakarta", "id-jkt", 7, services, CatalogDelta.between(Map.of(), services), freshness);
  }

  @Test
  void instancesKeepAddressWanWeightsAndHealth() {
    SiteInput site = Catalogs.toSiteInput(catalog(SiteFreshness.SYNCED,
        instance("a", HealthStatus.WARNING, Map.of("wan", new TaggedAddress("203.0.113.7", 0))),
        instance("b", HealthStatus.MAINTENANCE, Map.of())), StalenessMode.FREEZE, NOW, service -> true);

    assertThat(site.services().get("catalog")).containsExactly(
        new Instance("a", new HostPort("10.0.0.1", 8080), Optional.of(new HostPort("203.0.113.7", 8080)),
            CheckStatus.WARNING, 3, 2, Map.of("protocol", "grpc")),
        new Instance("b", new HostPort("10.0.0.1", 8080), Optional.empty(), CheckStatus.MAINTENANCE, 3, 2, Map.of("protocol", "grpc")));
    assertThat(site.expired()).isFalse();
    assertThat(site.dataAge()).isZero();
  }

  @Test
  void anExpiredSiteCarriesItsAgeAndMode() {
    SiteFreshness expired = new SiteFreshness(SyncState.EXPIRED, Optional.of(NOW.minusSeconds(400)), true);
    SiteInput site = Catalogs.toSiteInput(catalog(expired, instance("a", HealthStatus.PASSING, Map.of())), StalenessMode.DECAY, NOW, service -> true);

    assertThat(site.expired()).isTrue();
    assertThat(site.expiredMode()).isEqualTo(ExpiredMode.DECAY);
    assertThat(site.dataAge()).isEqualTo(Duration.ofSeconds(400));
  }
}
