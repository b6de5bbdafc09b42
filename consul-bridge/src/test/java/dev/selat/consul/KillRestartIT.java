package dev.selat.consul;

import static dev.selat.consul.ItSites.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.testkit.ConsulSite;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kill -9 of one site's Consul (a real process with a data dir): its last-known-good stays, ageing; then it recovers. */
class KillRestartIT {

  @Test
  void siteKilled_keepsLastKnownGoodWithGrowingAge_thenRecoversAfterRestart() {
    try (ConsulSite jakarta = ConsulSite.start(ConsulSite.Options.builder("jakarta").process(true).build());
        ConsulSite alibaba = ConsulSite.start(ConsulSite.Options.builder("alibaba-sg").build());
        ConsulSite aws = ConsulSite.start(ConsulSite.Options.builder("aws-sg").build())) {
      jakarta.registerService("web", "web-1", "10.0.0.1", 80, List.of(), Map.of(), null);
      jakarta.registerService("web", "web-2", "10.0.0.2", 80, List.of(), Map.of(), null);
      CatalogRecorder recorder = new CatalogRecorder();
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      List<SiteConfig> configs = List.of(ItSites.config(jakarta).build(), ItSites.config(alibaba).build(),
          ItSites.config(aws).build());
      try (ConsulBridge bridge = ConsulBridge.start(configs, registry, Clock.systemUTC())) {
        bridge.addListener(Runnable::run, recorder);
        await().atMost(BOUND).until(() -> recorder.has("jakarta")
            && recorder.latest("jakarta").freshness().state() == SyncState.SYNCED
            && recorder.latest("jakarta").service("web").map(e -> e.instances().size() == 2).orElse(false));

        jakarta.kill9();

        await("jakarta stale").atMost(BOUND).until(() -> bridge.freshness("jakarta").state() == SyncState.STALE);
        Duration firstAge = bridge.freshness("jakarta").age(Instant.now());
        await("age grows").atMost(BOUND)
            .until(() -> bridge.freshness("jakarta").age(Instant.now()).compareTo(firstAge.plusSeconds(2)) > 0);
        assertThat(registry.get("selat.consul.site.data.age").tag("site", "jakarta").timeGauge().value())
            .isGreaterThan(2.0);
        assertThat(bridge.latest("jakarta").orElseThrow().service("web").orElseThrow().instances()).hasSize(2);
        assertThat(bridge.freshness("alibaba-sg").state()).isEqualTo(SyncState.SYNCED);
        assertThat(bridge.freshness("aws-sg").state()).isEqualTo(SyncState.SYNCED);

        jakarta.restart();
        jakarta.registerService("web", "web-3", "10.0.0.3", 80, List.of(), Map.of(), null);

        await("jakarta recovers").atMost(BOUND).until(() -> bridge.freshness("jakarta").state() == SyncState.SYNCED
            && recorder.latest("jakarta").service("web").map(e -> e.instances().size() == 3).orElse(false));
        assertThat(bridge.freshness("jakarta").age(Instant.now())).isZero();
        List<SiteCatalog> afterSync = recorder.all("jakarta").stream()
            .dropWhile(c -> c.freshness().state() != SyncState.SYNCED).toList();
        assertThat(afterSync).allSatisfy(c -> assertThat(c.service("web").orElseThrow().instances().size())
            .isGreaterThanOrEqualTo(2));
      }
    }
  }
}
