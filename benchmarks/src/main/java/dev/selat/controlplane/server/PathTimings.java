package dev.selat.controlplane.server;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.selat.consul.ConsulBridge;
import dev.selat.consul.SiteCatalog;
import dev.selat.consul.SyncState;
import dev.selat.controlplane.config.SelatConfig;
import dev.selat.controlplane.config.SiteSpec;
import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.controlplane.routing.SitePair;
import dev.selat.xds.ResourceSnapshot;
import dev.selat.xds.SnapshotPublisher;
import dev.selat.xds.XdsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Where one change is inside a running control plane, on {@link System#nanoTime}: when consul-bridge handed over a
 * catalog whose delta names the service, when the route engine took it (the publish's "observed at"), when its routes
 * were recomputed (the first and last route change of the service), and when each group's snapshot was handed to the
 * xDS server (just before: its streams may answer before the call returns). One change at a time: {@link #expect} starts the next. Thread-safe (the bridge's and the engine's
 * threads record, the driver reads).
 *
 * <p>It hooks in through {@link ControlPlane#start(SelatConfig, Map, Module)}: a publisher and a route listener around
 * the real ones, and a bridge listener beside the engine's. In this package because those are package-private.
 */
public final class PathTimings {
  /**
   * One change's stamps (nanoTime; 0 when it did not happen): the first and last group snapshot handed over for it, and
   * how many were.
   */
  public record Stamps(long catalog, long observed, long firstRoute, long lastRoute, long firstPublished,
      long lastPublished, int publishes) {}

  private final Clock clock = Clock.systemUTC();
  private String site;
  private String service;
  private long catalog;
  private long observed;
  private long firstRoute;
  private long lastRoute;
  private long firstPublished;
  private long lastPublished;
  private int publishes;

  /** Starts a control plane with these hooks. */
  public ControlPlane start(SelatConfig config) {
    return ControlPlane.start(config, System.getenv(), overrides(config));
  }

  /** From now on, stamps the change of {@code service} in {@code site}'s catalog. */
  public synchronized void expect(String site, String service) {
    this.site = site;
    this.service = service;
    catalog = observed = firstRoute = lastRoute = firstPublished = lastPublished = 0;
    publishes = 0;
  }

  public synchronized Stamps stamps() {
    return new Stamps(catalog, observed, firstRoute, lastRoute, firstPublished, lastPublished, publishes);
  }

  private synchronized void catalog(SiteCatalog c) {
    if (catalog == 0 && c.siteId().equals(site) && c.delta().changed().contains(service)) {
      catalog = System.nanoTime();
    }
  }

  private synchronized void routeChanged(ServiceRoute after) {
    if (after.service().equals(service)) {
      long now = System.nanoTime();
      firstRoute = firstRoute == 0 ? now : firstRoute;
      lastRoute = now;
    }
  }

  private synchronized void publishing(Instant observedAt) {
    if (firstRoute != 0 && observed == 0) {
      observed = System.nanoTime() - Duration.between(observedAt, clock.instant()).toNanos();
    }
  }

  private synchronized void handingOver() {
    if (firstRoute != 0) {
      lastPublished = System.nanoTime();
      firstPublished = firstPublished == 0 ? lastPublished : firstPublished;
      publishes++;
    }
  }

  private Module overrides(SelatConfig config) {
    return new AbstractModule() {
      @Provides
      @Singleton
      RouteEngine routeEngine(XdsServer server, ScheduledExecutorService scheduler, Clock clock, OperatorView view) {
        return new RouteEngine(config, publisher(server), scheduler, clock, listener(view));
      }

      @Provides
      @Singleton
      ConsulBridge bridge(PrometheusMeterRegistry registry, Clock clock) {
        ConsulBridge bridge = ConsulBridge.start(config.sites().stream().map(SiteSpec::consul).toList(), registry, clock);
        bridge.addListener(Runnable::run, PathTimings.this::catalog);
        return bridge;
      }
    };
  }

  private SnapshotPublisher publisher(SnapshotPublisher real) {
    return new SnapshotPublisher() {
      @Override
      public void publish(String group, ResourceSnapshot snapshot) {
        handingOver();
        real.publish(group, snapshot);
      }

      @Override
      public void publishAllowingEmpty(String group, ResourceSnapshot snapshot) {
        handingOver();
        real.publishAllowingEmpty(group, snapshot);
      }
    };
  }

  private RouteListener listener(RouteListener real) {
    return new RouteListener() {
      @Override
      public void siteState(String site, Optional<SyncState> before, SyncState after) {
        real.siteState(site, before, after);
      }

      @Override
      public void routeChanged(String site, boolean gateway, Optional<ServiceRoute> before, ServiceRoute after,
          Cause cause) {
        PathTimings.this.routeChanged(after);
        real.routeChanged(site, gateway, before, after, cause);
      }

      @Override
      public void hysteresisHeld(SitePair pair, Duration measured, Duration held) {
        real.hysteresisHeld(pair, measured, held);
      }

      @Override
      public void publishing(String group, Instant changeObservedAt) {
        PathTimings.this.publishing(changeObservedAt);
        real.publishing(group, changeObservedAt);
      }
    };
  }
}
