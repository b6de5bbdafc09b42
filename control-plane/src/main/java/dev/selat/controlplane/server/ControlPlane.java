package dev.selat.controlplane.server;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.TypeLiteral;
import com.google.inject.util.Modules;
import dev.selat.consul.ConsulBridge;
import dev.selat.controlplane.config.SelatConfig;
import dev.selat.controlplane.latency.ProbeSubscriptions;
import dev.selat.xds.XdsServer;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running control plane: the bridge feeding the route engine, the xDS server and the admin server. */
public final class ControlPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  private final XdsServer xds;
  private final AdminServer admin;
  private final ConsulBridge bridge;
  private final RouteEngine engine;
  private final ScheduledExecutorService scheduler;
  private final ProbeSubscriptions probes;
  private final ControlPlaneMetrics metrics;
  private final PolicySource policies;
  private final Optional<ApiServer> api;

  private ControlPlane(Injector injector) {
    this.engine = injector.getInstance(RouteEngine.class);
    this.xds = injector.getInstance(XdsServer.class);
    this.scheduler = injector.getInstance(ScheduledExecutorService.class);
    this.admin = injector.getInstance(AdminServer.class);
    this.bridge = injector.getInstance(ConsulBridge.class);
    this.metrics = injector.getInstance(ControlPlaneMetrics.class);
    SelatConfig config = injector.getInstance(SelatConfig.class);
    this.probes = new ProbeSubscriptions(config.latency().probeService(), engine::onEstimates, scheduler);
    this.policies = injector.getInstance(PolicySource.class);
    this.api = injector.getInstance(Key.get(new TypeLiteral<Optional<ApiServer>>() {}));
  }

  public static ControlPlane start(SelatConfig config) {
    return start(config, System.getenv());
  }

  /** {@code env}: the process environment, or a test's ({@code SELAT_API_TOKEN}, {@code SELAT_API_TOKEN_FILE}). */
  public static ControlPlane start(SelatConfig config, java.util.Map<String, String> env) {
    return start(config, env, Modules.EMPTY_MODULE);
  }

  /**
   * The same wiring with some of its bindings replaced by {@code overrides} ({@link Modules#override}): for the
   * benchmarks, which time the publish loop from inside (issue 17).
   */
  static ControlPlane start(SelatConfig config, java.util.Map<String, String> env, Module overrides) {
    ControlPlane cp = new ControlPlane(Guice.createInjector(
        Modules.override(new ControlPlaneModule(config, env)).with(overrides)));
    // Both hop onto this serial scheduler anyway; delivering there keeps the bridge's sites free of them.
    cp.bridge.addListener(cp.scheduler, cp.engine::onCatalog);
    cp.bridge.addListener(cp.scheduler, cp.probes::onCatalog);
    cp.policies.start();
    cp.engine.start();
    log.info("control plane up: xDS on port {}, policy API on port {}, admin on port {}, sites {}", cp.xds.port(),
        cp.apiPort(), cp.admin.port(), config.siteIds());
    return cp;
  }

  public int xdsPort() {
    return xds.port();
  }

  /** The policy API's port: {@code ports.api}'s, else the xDS port. */
  public int apiPort() {
    return api.map(ApiServer::port).orElse(xds.port());
  }

  public int adminPort() {
    return admin.port();
  }

  public boolean ready() {
    return engine.ready();
  }

  /** Stops admitting, closes the xDS streams (the server's own grace), then the sources. */
  @Override
  public void close() {
    log.info("control plane stopping");
    probes.close();
    api.ifPresent(ApiServer::close);
    xds.close();
    bridge.close();
    scheduler.shutdownNow();
    metrics.close();
    try {
      admin.close();
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("admin server did not stop cleanly: {}", e.toString());
    }
  }
}
