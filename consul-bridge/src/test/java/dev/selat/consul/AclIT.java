package dev.selat.consul;

import static dev.selat.consul.ItSites.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
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

/** ACLs on with default deny: no token fails naming the site; a read token works; the token is in no log line or URL. */
class AclIT {
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  /**
   * ecwid logs every request's URL and headers at FINEST, Apache HttpClient (through commons-logging) every request
   * line at FINE; both go to java.util.logging, captured here: they show what is sent to the server.
   */
  private final List<java.util.logging.Logger> wireLoggers = List.of(
      java.util.logging.Logger.getLogger("com.ecwid.consul"),
      java.util.logging.Logger.getLogger("org.apache.http.impl.execchain.MainClientExec"));
  private final List<String> wireLines = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.logging.Handler wire = new java.util.logging.Handler() {
    @Override
    public void publish(java.util.logging.LogRecord r) {
      wireLines.add(r.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private ConsulSite site;

  @BeforeEach
  void start() {
    logs.start();
    root.addAppender(logs);
    wire.setLevel(java.util.logging.Level.ALL);
    wireLoggers.forEach(l -> {
      l.setLevel(java.util.logging.Level.ALL);
      l.addHandler(wire);
    });
    ((Logger) LoggerFactory.getLogger("dev.selat")).setLevel(Level.DEBUG);
    site = ConsulSite.start(ConsulSite.Options.builder("jakarta").acl("deny").build());
    site.registerService("web", "web-1", "10.0.0.1", 80, List.of(), Map.of(), null);
  }

  @AfterEach
  void stop() {
    site.close();
    root.detachAppender(logs);
    wireLoggers.forEach(l -> {
      l.removeHandler(wire);
      l.setLevel(null);
    });
    ((Logger) LoggerFactory.getLogger("dev.selat")).setLevel(null);
  }

  @Test
  void bridge_defaultDenyWithoutToken_failsWithClearErrorNamingSite() {
    SiteConfig config = ItSites.config(site).startBudget(Duration.ofSeconds(2)).build();
    try (ConsulBridge bridge = ConsulBridge.start(List.of(config), new SimpleMeterRegistry(), Clock.systemUTC())) {
      await().atMost(BOUND).until(() -> bridge.lastFailure("jakarta").isPresent());
      ConsulQueryException failure = bridge.lastFailure("jakarta").orElseThrow();
      assertThat(failure.isDenied()).isTrue();
      assertThat(failure.getMessage()).startsWith("site jakarta: GET /v1/").contains("403").contains("token");
      await().atMost(BOUND).until(() -> bridge.freshness("jakarta").state() == SyncState.EXPIRED);
      assertThat(bridge.latest("jakarta").orElseThrow().services()).isEmpty();
      assertThat(logs.list).anyMatch(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().startsWith("site jakarta:"));
    }
  }

  @Test
  void bridge_readToken_syncsAndTokenAppearsInNoLogLineOrUrl() {
    String token = site.createToken("service_prefix \"\" { policy = \"read\" }\nnode_prefix \"\" { policy = \"read\" }\n"
        + "key_prefix \"selat/\" { policy = \"read\" }");
    SiteConfig config = ItSites.config(site).token(token).build();
    CatalogRecorder recorder = new CatalogRecorder();
    try (ConsulBridge bridge = ConsulBridge.start(List.of(config), new SimpleMeterRegistry(), Clock.systemUTC())) {
      bridge.addListener(Runnable::run, recorder);
      bridge.watchKv("jakarta", "selat/", Runnable::run, snapshot -> {});
      await().atMost(BOUND).until(() -> recorder.instance("jakarta", "web", "web-1") != null
          && recorder.latest("jakarta").freshness().state() == SyncState.SYNCED);
      assertThat(bridge.lastFailure("jakarta")).isEmpty();
    }
    assertThat(wireLines).filteredOn(l -> l.contains("/v1/health/service/web")).isNotEmpty();
    assertThat(wireLines).filteredOn(l -> l.contains("/v1/kv/selat/")).isNotEmpty();
    assertThat(wireLines).noneMatch(l -> l.contains(token)).noneMatch(l -> l.contains("token="));
    assertThat(logs.list).isNotEmpty().noneMatch(e -> e.getFormattedMessage().contains(token));
    assertThat(config.toString()).doesNotContain(token);
  }

  @Test
  void bridge_scopedToken_seesOnlyItsServicesAndSaysSoOnce() {
    site.registerService("db", "db-1", "10.0.0.2", 5432, List.of(), Map.of(), null);
    String token = site.createToken("service \"web\" { policy = \"read\" }\nnode_prefix \"\" { policy = \"read\" }");
    CatalogRecorder recorder = new CatalogRecorder();
    try (ConsulBridge bridge = ConsulBridge.start(List.of(ItSites.config(site).token(token).build()),
        new SimpleMeterRegistry(), Clock.systemUTC())) {
      bridge.addListener(Runnable::run, recorder);
      await().atMost(BOUND).until(() -> recorder.instance("jakarta", "web", "web-1") != null
          && recorder.latest("jakarta").freshness().state() == SyncState.SYNCED);
      assertThat(recorder.latest("jakarta").services()).containsOnlyKeys("web");
    }
    assertThat(logs.list).filteredOn(e -> e.getFormattedMessage().contains("ACLs hide part of /v1/catalog/services"))
        .hasSize(1);
  }
}
