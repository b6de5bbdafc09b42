package dev.selat.consul;

import static dev.selat.consul.ItSites.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.testkit.ConsulSite;
import dev.selat.testkit.ConsulSite.Check;
import dev.selat.testkit.ConsulSite.Health;
import dev.selat.testkit.ThreeSites;
import dev.selat.testkit.ToxiproxyServer;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A faulty WAN link between the bridge and alibaba-sg (latency, timeout, reset_peer): no instance is ever lost. */
class ToxiproxyIT {
  private static final int INSTANCES = 5;

  @Test
  void faultyLink_latencyTimeoutResetPeer_noInstanceLostAndChangesArriveAfter() throws IOException {
    try (ThreeSites sites = ThreeSites.start(false); ToxiproxyServer toxiproxy = ToxiproxyServer.start()) {
      ConsulSite alibaba = sites.alibabaSg();
      for (int i = 1; i <= INSTANCES; i++) {
        alibaba.registerService("search", "search-" + i, "10.3.0." + i, 80, List.of(), Map.of(), Check.manual(Health.PASSING));
      }
      Proxy link = toxiproxy.proxy("alibaba-sg", alibaba.httpAddress().getHost() + ":" + alibaba.httpAddress().getPort());
      URI viaProxy = URI.create("http://127.0.0.1:" + ToxiproxyServer.listenPort(link));
      List<SiteConfig> configs = new ArrayList<>();
      for (ConsulSite s : sites.all()) {
        configs.add((s == alibaba ? ItSites.config(s.datacenter(), viaProxy) : ItSites.config(s))
            .blockingWait(java.time.Duration.ofSeconds(2)).build());
      }
      CatalogRecorder recorder = new CatalogRecorder();
      try (ConsulBridge bridge = ConsulBridge.start(configs, new SimpleMeterRegistry(), Clock.systemUTC())) {
        bridge.addListener(Runnable::run, recorder);
        await().atMost(BOUND).until(() -> recorder.has("alibaba-sg") && searchCount(recorder) == INSTANCES
            && recorder.latest("alibaba-sg").freshness().state() == SyncState.SYNCED);

        toxiproxy.addLatency(link, 400, 100);
        alibaba.setCheck(ConsulSite.serviceCheckId("search-1"), Health.CRITICAL);
        await("change through a slow link").atMost(BOUND)
            .until(() -> recorder.instance("alibaba-sg", "search", "search-1").status() == HealthStatus.CRITICAL);
        toxiproxy.clearToxics(link);

        link.toxics().timeout("stall", ToxicDirection.DOWNSTREAM, 1_000);
        await("stalled link is stale").atMost(BOUND).until(() -> bridge.freshness("alibaba-sg").state() == SyncState.STALE);
        alibaba.setCheck(ConsulSite.serviceCheckId("search-2"), Health.WARNING);
        toxiproxy.clearToxics(link);
        await("recovers after timeout").atMost(BOUND).until(() -> bridge.freshness("alibaba-sg").state() == SyncState.SYNCED
            && recorder.instance("alibaba-sg", "search", "search-2").status() == HealthStatus.WARNING);

        link.toxics().resetPeer("reset", ToxicDirection.DOWNSTREAM, 0);
        await("reset link is stale").atMost(BOUND).until(() -> bridge.freshness("alibaba-sg").state() == SyncState.STALE);
        alibaba.setCheck(ConsulSite.serviceCheckId("search-3"), Health.CRITICAL);
        toxiproxy.clearToxics(link);
        await("recovers after reset").atMost(BOUND).until(() -> bridge.freshness("alibaba-sg").state() == SyncState.SYNCED
            && recorder.instance("alibaba-sg", "search", "search-3").status() == HealthStatus.CRITICAL);

        List<SiteCatalog> published = recorder.all("alibaba-sg").stream()
            .dropWhile(c -> c.freshness().state() != SyncState.SYNCED).toList();
        assertThat(published).allSatisfy(c -> assertThat(c.service("search").orElseThrow().instances()).hasSize(INSTANCES));
        assertThat(published).extracting(c -> c.freshness().state()).contains(SyncState.STALE);
        assertThat(recorder.latest("jakarta").freshness().state()).isEqualTo(SyncState.SYNCED);
      }
    }
  }

  private static int searchCount(CatalogRecorder recorder) {
    return recorder.latest("alibaba-sg").service("search").map(e -> e.instances().size()).orElse(0);
  }
}
