package dev.selat.consul;

import static dev.selat.consul.ItSites.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.testkit.ConsulSite;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The index goes backwards when a site's Consul comes back with older state (a snapshot restore; here a new cluster on
 * the same address whose raft log is shorter than the one the bridge followed). The watches must reset and follow it.
 */
class IndexResetIT {

  @Test
  void watches_siteRestoredToOlderState_resetAndFollowTheNewState() {
    ConsulSite.Options options = ConsulSite.Options.builder("jakarta").build();
    ConsulSite before = ConsulSite.start(options);
    int port = before.httpAddress().getPort();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CatalogRecorder recorder = new CatalogRecorder();
    List<KvChange> kv = new CopyOnWriteArrayList<>();
    java.util.function.Consumer<KvSnapshot> kvChanges = s -> kv.addAll(s.changes());
    try (ConsulBridge bridge = ConsulBridge.start(List.of(ItSites.config(before).build()), registry, Clock.systemUTC())) {
      bridge.addListener(Runnable::run, recorder);
      bridge.watchKv("jakarta", "selat/", Runnable::run, kvChanges);
      // Many writes, so the first cluster's index is far ahead of the next one's.
      for (int i = 0; i < 40; i++) {
        before.kvPut("selat/filler-" + i, "x");
        before.registerService("old", "old-" + (i % 3), "10.0.0." + (i % 3), 80, List.of(), Map.of(), null);
      }
      await().atMost(BOUND).until(() -> recorder.has("jakarta") && recorder.latest("jakarta").service("old")
          .map(e -> e.instances().size() == 3).orElse(false) && kv.size() >= 40);
      before.close();

      ConsulSite after = ConsulSite.start(ConsulSite.Options.builder("jakarta").httpPort(port).build());
      try {
        after.registerService("new", "new-1", "10.9.0.1", 80, List.of(), Map.of(), null);
        after.kvPut("selat/policies/p", "restored");

        await("catalog follows the restored state").atMost(BOUND)
            .until(() -> recorder.latest("jakarta").service("new").isPresent()
                && recorder.latest("jakarta").service("old").isEmpty()
                && recorder.latest("jakarta").freshness().state() == SyncState.SYNCED);
        await("kv follows the restored state").atMost(BOUND)
            .until(() -> kv.stream().anyMatch(c -> c.value().equals(Optional.of("restored"))));
        assertThat(kv).anyMatch(c -> c.key().equals("selat/filler-0") && c.deleted());
        double resets = registry.find("selat.consul.index.resets").counters().stream().mapToDouble(Counter::count).sum();
        assertThat(resets).as("index resets").isGreaterThanOrEqualTo(2);
      } finally {
        after.close();
      }
    }
  }

  @Test
  void catalog_snapshotRestored_followsTheRestoredState() throws Exception {
    try (ConsulSite site = ConsulSite.start(ConsulSite.Options.builder("jakarta").build());
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
      site.registerService("kept", "kept-1", "10.0.0.1", 80, List.of(), Map.of(), null);
      java.net.URI snapshotUri = site.httpAddress().resolve("/v1/snapshot");
      byte[] snapshot = http.send(java.net.http.HttpRequest.newBuilder(snapshotUri).GET().build(),
          java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
      site.registerService("later", "later-1", "10.0.0.2", 80, List.of(), Map.of(), null);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      CatalogRecorder recorder = new CatalogRecorder();
      try (ConsulBridge bridge = ConsulBridge.start(List.of(ItSites.config(site).build()), registry, Clock.systemUTC())) {
        bridge.addListener(Runnable::run, recorder);
        await().atMost(BOUND).until(() -> recorder.has("jakarta") && recorder.latest("jakarta").service("later").isPresent());

        int status = http.send(java.net.http.HttpRequest.newBuilder(snapshotUri)
            .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(snapshot)).build(),
            java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        assertThat(status).isEqualTo(200);

        await("catalog back to the snapshot").atMost(BOUND).until(() -> recorder.latest("jakarta").service("later").isEmpty()
            && recorder.latest("jakarta").service("kept").isPresent());
        double resets = registry.find("selat.consul.index.resets").counters().stream().mapToDouble(Counter::count).sum();
        System.out.printf(java.util.Locale.ROOT, "snapshot restore: %.0f index resets%n", resets);
      }
    }
  }
}
