package dev.selat.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsulBridgeTest {
  private static SiteConfig site(String id) {
    return SiteConfig.builder(id, "r").address("127.0.0.1:8500").build();
  }

  @Test
  void start_duplicateSiteId_namesItAndReleasesBuiltSites() {
    List<String> closed = new ArrayList<>();
    assertThatThrownBy(() -> ConsulBridge.start(List.of(site("jakarta"), site("jakarta")), new SimpleMeterRegistry(),
        Clock.systemUTC(), c -> new FakeSiteReader() {
          @Override
          public void close() {
            closed.add(c.siteId());
          }
        }))
        .isInstanceOf(ConsulConfigException.class).hasMessageStartingWith("sites.jakarta:");
    assertThat(closed).containsExactly("jakarta");
  }

  @Test
  void start_noSite_isRejected() {
    assertThatThrownBy(() -> ConsulBridge.start(List.of(), new SimpleMeterRegistry(), Clock.systemUTC()))
        .hasMessageStartingWith("sites:");
  }

  @Test
  void freshness_unknownSite_namesKnownOnes() {
    try (ConsulBridge bridge = ConsulBridge.start(List.of(site("jakarta")), new SimpleMeterRegistry(), Clock.systemUTC(),
        c -> new FakeSiteReader())) {
      assertThatThrownBy(() -> bridge.freshness("aws-sg")).hasMessageContaining("unknown site 'aws-sg'")
          .hasMessageContaining("jakarta");
      assertThat(bridge.siteIds()).containsExactly("jakarta");
    }
  }
  @Test
  void close_oneSiteFailsToClose_otherSitesStillClosedAndMetersRemoved() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<String> closed = new ArrayList<>();
    ConsulBridge bridge = ConsulBridge.start(List.of(site("jakarta"), site("singapore")), registry, Clock.systemUTC(),
        c -> new FakeSiteReader() {
          @Override
          public void close() {
            closed.add(c.siteId());
            if (c.siteId().equals("jakarta")) {
              throw new java.io.UncheckedIOException(new java.io.IOException("connection pool already broken"));
            }
          }
        });

    assertThatThrownBy(bridge::close).hasMessageContaining("connection pool already broken");

    assertThat(closed).containsExactlyInAnyOrder("jakarta", "singapore");
    assertThat(registry.getMeters()).isEmpty();
  }
}
