package dev.selat.consul;

import static dev.selat.consul.ItSites.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.selat.testkit.ConsulSite;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The site's Consul loses its leader, or answers as a follower cut off from it, then heals: the bridge keeps the site's
 * data, marks it stale naming the site, and is synced again once a server in touch with its leader answers. Needs the
 * embedded emulator's leadership knob (a real consul cannot be told to do this): skipped on any other site.
 */
class LeaderFaultIT {
  private static final Duration MAX_STALE = Duration.ofSeconds(2);

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger watcherLog = (Logger) LoggerFactory.getLogger(SiteWatcher.class);
  private final CatalogRecorder recorder = new CatalogRecorder();
  private ConsulSite site;
  private ConsulSite.LeaderFault leader;
  private ConsulBridge bridge;

  @BeforeEach
  void start() {
    site = ConsulSite.start(ConsulSite.Options.builder("jakarta").build());
    assumeThat(site.leaderFault()).as("the leadership knob of an embedded emulator").isPresent();
    leader = site.leaderFault().orElseThrow();
    site.registerService("web", "web-1", "10.0.0.1", 80, List.of(), Map.of(), null);
    logs.start();
    watcherLog.addAppender(logs);
  }

  @AfterEach
  void stop() {
    watcherLog.detachAppender(logs);
    if (bridge != null) {
      bridge.close();
    }
    site.close();
  }

  private void startBridge(ConsistencyMode consistency) {
    // Short blocking waits: a healed server is heard from within a second, not a minute.
    bridge = ConsulBridge.start(List.of(ItSites.config(site).consistency(consistency).maxStale(MAX_STALE)
        .blockingWait(Duration.ofSeconds(1)).build()), new SimpleMeterRegistry(), Clock.systemUTC());
    bridge.addListener(Runnable::run, recorder);
    awaitState(SyncState.SYNCED);
  }

  private void awaitState(SyncState state) {
    await("site jakarta " + state).atMost(BOUND)
        .until(() -> recorder.has("jakarta") && recorder.latest("jakarta").freshness().state() == state);
  }

  private boolean warned(String words) {
    return logs.list.stream().anyMatch(e -> e.getLevel() == Level.WARN
        && e.getFormattedMessage().startsWith("site jakarta: ") && e.getFormattedMessage().contains(words));
  }

  @Test
  void staleReads_noKnownLeader_dataKeptStaleNamingTheSite_thenSynced() {
    startBridge(ConsistencyMode.STALE);

    leader.noLeader(Duration.ofSeconds(4));

    awaitState(SyncState.STALE);
    assertThat(recorder.latest("jakarta").services()).containsKey("web");
    assertThat(recorder.latest("jakarta").freshness().staleSince()).isPresent();
    await().atMost(BOUND).until(() -> warned("no known leader (X-Consul-KnownLeader: false)"));

    leader.healthy();

    awaitState(SyncState.SYNCED);
    assertThat(recorder.latest("jakarta").services()).containsKey("web");
  }

  @Test
  void staleReads_followerPastMaxStale_dataKeptStale_thenSynced() {
    startBridge(ConsistencyMode.STALE);

    leader.staleFollower(MAX_STALE.multipliedBy(3));

    awaitState(SyncState.STALE);
    assertThat(recorder.latest("jakarta").services()).containsKey("web");
    await().atMost(BOUND).until(() -> warned("X-Consul-LastContact"));

    leader.healthy();

    awaitState(SyncState.SYNCED);
  }

  @Test
  void staleReads_followerWithinMaxStale_staysSynced() {
    startBridge(ConsistencyMode.STALE);

    leader.staleFollower(MAX_STALE.dividedBy(4));
    site.registerService("db", "db-1", "10.0.0.2", 5432, List.of(), Map.of(), null);

    await().atMost(BOUND).until(() -> recorder.latest("jakarta").service("db").isPresent());
    assertThat(recorder.latest("jakarta").freshness().state()).isEqualTo(SyncState.SYNCED);
  }

  @Test
  void defaultReads_noLeader_consulAnswers500_dataKeptStale_thenSynced() {
    startBridge(ConsistencyMode.DEFAULT);

    leader.noLeader(Duration.ofSeconds(4));

    awaitState(SyncState.STALE);
    assertThat(recorder.latest("jakarta").services()).containsKey("web");
    assertThat(bridge.lastFailure("jakarta")).get().satisfies(e -> {
      assertThat(e.status()).isEqualTo(500);
      assertThat(e.getMessage()).startsWith("site jakarta: GET /v1/").contains("No cluster leader");
    });

    leader.healthy();

    awaitState(SyncState.SYNCED);
  }
}
