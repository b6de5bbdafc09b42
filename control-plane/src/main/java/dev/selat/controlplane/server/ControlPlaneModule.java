package dev.selat.controlplane.server;

import com.google.inject.AbstractModule;
import com.google.inject.Provider;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.selat.consul.ConsulBridge;
import dev.selat.controlplane.config.SelatConfig;
import dev.selat.controlplane.config.SiteSpec;
import dev.selat.xds.XdsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The whole wiring, in one place: config in, the running parts out. */
final class ControlPlaneModule extends AbstractModule {
  private final SelatConfig config;

  ControlPlaneModule(SelatConfig config) {
    this.config = config;
  }

  @Override
  protected void configure() {
    bind(SelatConfig.class).toInstance(config);
    bind(Clock.class).toInstance(Clock.systemUTC());
  }

  @Provides
  @Singleton
  PrometheusMeterRegistry registry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  @Provides
  @Singleton
  ScheduledExecutorService routesScheduler() {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "selat-routes");
      t.setDaemon(true);
      return t;
    });
  }

  @Provides
  @Singleton
  ControlPlaneMetrics metrics(PrometheusMeterRegistry registry, Provider<RouteEngine> engine) {
    // Its gauges read the engine's views at each scrape, long after both exist.
    return new ControlPlaneMetrics(registry, config.siteIds(), () -> engine.get().views());
  }

  @Provides
  @Singleton
  OperatorView operatorView(ControlPlaneMetrics metrics, Clock clock) {
    return new OperatorView(metrics, new EventLog(clock), clock);
  }

  @Provides
  @Singleton
  XdsServer xdsServer(PrometheusMeterRegistry registry, Clock clock, Provider<RouteEngine> engine, OperatorView view)
      throws Exception {
    // The engine publishes to this server and maps its streams' nodes: the Provider breaks the cycle (streams open
    // only once the server has started, after both exist).
    return XdsServer.builder()
        .address(new InetSocketAddress(config.ports().xds().address(), config.ports().xds().port()))
        .nodeGroupMapper(node -> engine.get().group(node))
        .meterRegistry(registry)
        .callbacks(view)
        .clock(clock)
        .start();
  }

  @Provides
  @Singleton
  RouteEngine routeEngine(XdsServer server, ScheduledExecutorService scheduler, Clock clock, OperatorView view) {
    return new RouteEngine(config, server, scheduler, clock, view);
  }

  @Provides
  @Singleton
  ConsulBridge bridge(PrometheusMeterRegistry registry, Clock clock) {
    return ConsulBridge.start(config.sites().stream().map(SiteSpec::consul).toList(), registry, clock);
  }

  @Provides
  @Singleton
  AdminServer admin(PrometheusMeterRegistry registry, RouteEngine engine, XdsServer xds, OperatorView view, Clock clock)
      throws Exception {
    return new AdminServer(new InetSocketAddress(config.ports().admin().address(), config.ports().admin().port()),
        registry, engine, xds, view.events(), config.admin(), clock);
  }
}
