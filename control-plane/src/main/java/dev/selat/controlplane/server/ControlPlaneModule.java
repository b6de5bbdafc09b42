package dev.selat.controlplane.server;

import com.google.inject.AbstractModule;
import com.google.inject.Provider;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.selat.consul.ConsulBridge;
import dev.selat.controlplane.config.ApiPort;
import dev.selat.controlplane.config.LinkSpec;
import dev.selat.controlplane.config.SelatConfig;
import dev.selat.controlplane.config.SiteSpec;
import dev.selat.controlplane.mesh.BridgeKv;
import dev.selat.controlplane.policy.PolicyParser;
import dev.selat.controlplane.policy.PolicyStore;
import dev.selat.xds.XdsServer;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;

/** The whole wiring, in one place: config in, the running parts out. */
final class ControlPlaneModule extends AbstractModule {
  private final SelatConfig config;
  /** The environment the policy API's token comes from. */
  private final Map<String, String> env;

  ControlPlaneModule(SelatConfig config, Map<String, String> env) {
    this.config = config;
    this.env = Map.copyOf(env);
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
  XdsServer xdsServer(PrometheusMeterRegistry registry, Clock clock, Provider<RouteEngine> engine, OperatorView view,
      PolicyApi policyApi)
      throws Exception {
    // The engine publishes to this server and maps its streams' nodes: the Provider breaks the cycle (streams open
    // only once the server has started, after both exist).
    XdsServer.Builder xds = XdsServer.builder()
        .address(new InetSocketAddress(config.ports().xds().address(), config.ports().xds().port()))
        .nodeGroupMapper(node -> engine.get().group(node))
        .meterRegistry(registry)
        .callbacks(view)
        .clock(clock);
    if (config.ports().api().isEmpty()) {
      xds.addService(authenticated(policyApi));
    }
    return xds.start();
  }

  /** With {@code ports.api}, the policy API listens there, and only there. */
  @Provides
  @Singleton
  Optional<ApiServer> apiServer(PolicyApi policyApi) throws Exception {
    return config.ports().api().isEmpty() ? Optional.empty()
        : Optional.of(ApiServer.start(config.ports().api().get(), authenticated(policyApi)));
  }

  /**
   * The PolicyService behind its authentication: a configured bearer token is always required; with mutual TLS and
   * no token, the client's certificate alone (the handshake verified it); with neither, every call is refused.
   */
  private ServerServiceDefinition authenticated(PolicyApi policyApi) {
    ApiToken token = ApiToken.fromEnv(env);
    boolean mutualTls = config.ports().api().map(ApiPort::mutualTls).orElse(false);
    return !token.configured() && mutualTls ? policyApi.bindService()
        : ServerInterceptors.intercept(policyApi, new BearerAuth(token));
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
  PolicyParser policyParser() {
    return new PolicyParser(Set.copyOf(config.siteIds()),
        config.links().stream().map(LinkSpec::name).collect(Collectors.toSet()));
  }

  @Provides
  @Singleton
  PolicyStore policyStore(ConsulBridge bridge) {
    return new PolicyStore(new BridgeKv(bridge), config.siteIds());
  }

  @Provides
  @Singleton
  PolicyApi policyApi(PolicyParser parser, PolicyStore store, PolicySource source, Provider<RouteEngine> engine,
      Provider<XdsServer> xds, Clock clock) {
    return new PolicyApi(parser, store, source::onWritten, engine, xds, config.routing(), clock);
  }

  @Provides
  @Singleton
  PolicySource policySource(ConsulBridge bridge, PolicyParser parser, PolicyStore store, Provider<RouteEngine> engine,
      ScheduledExecutorService scheduler) {
    return new PolicySource(bridge, config.siteIds(), parser, store, policies -> engine.get().onPolicies(policies),
        scheduler);
  }

  @Provides
  @Singleton
  AdminServer admin(PrometheusMeterRegistry registry, RouteEngine engine, XdsServer xds, OperatorView view, Clock clock)
      throws Exception {
    return new AdminServer(new InetSocketAddress(config.ports().admin().address(), config.ports().admin().port()),
        registry, engine, xds, view.events(), config.admin(), clock);
  }
}
