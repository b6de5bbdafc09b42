package dev.selat.consul;

import static org.assertj.core.api.Assertions.assertThat;

import dev.selat.testkit.FakeClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SiteMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeClock clock = new FakeClock();
  private final AtomicReference<SiteFreshness> freshness = new AtomicReference<>(SiteFreshness.SYNCED);

  private double syncState(String site, String state) {
    return registry.get("selat.consul.site.sync.state").tag("site", site).tag("state", state).gauge().value();
  }

  @Test
  void syncStateGauge_afterGarbageCollection_stillReadsTheState() {
    // The watcher hands over a fresh supplier that nothing else holds, as here.
    new SiteMetrics("jakarta", registry, clock, freshness::get);
    WeakReference<Object> sentinel = new WeakReference<>(new Object());
    for (int i = 0; i < 20 && sentinel.get() != null; i++) {
      System.gc();
    }
    assertThat(sentinel.get()).as("a collection ran").isNull();

    assertThat(syncState("jakarta", "synced")).isEqualTo(1);
    assertThat(registry.get("selat.consul.site.data.age").tag("site", "jakarta").timeGauge().value()).isZero();
  }

  @Test
  void close_siteMeters_removedAndOtherSitesKept() {
    SiteMetrics jakarta = new SiteMetrics("jakarta", registry, clock, freshness::get);
    new SiteMetrics("singapore", registry, clock, freshness::get);
    jakarta.queryStarted(true);
    jakarta.queryFinished(true, "services", Duration.ofMillis(5), false);
    jakarta.indexReset("services");

    jakarta.close();

    assertThat(registry.getMeters()).isNotEmpty()
        .allSatisfy(m -> assertThat(m.getId().getTag("site")).isEqualTo("singapore"));
  }

  @Test
  void newSiteMetrics_sameSiteAfterClose_readsItsOwnState() {
    new SiteMetrics("jakarta", registry, clock, freshness::get).close();
    AtomicReference<SiteFreshness> again = new AtomicReference<>(SiteFreshness.SYNCING);

    new SiteMetrics("jakarta", registry, clock, again::get);

    assertThat(syncState("jakarta", "syncing")).isEqualTo(1);
  }
}
