package dev.selat.controlplane.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.controlplane.routing.Tuning;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.v3.Percent;

/**
 * One Cluster per service: endpoints by EDS over ADS, locality-weighted balancing (the brain sets the
 * weights), no panic mode (a known-unhealthy instance never takes traffic), outlier detection and
 * circuit breakers with conservative defaults (a policy's outlier detection and connect timeout replace theirs), HTTP/2
 * when the instances speak gRPC.
 */
public final class ClusterFactory {
  static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private ClusterFactory() {}

  static com.google.protobuf.Duration seconds(long s) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(s).build();
  }

  /** The ADS config source every dynamic resource points at. */
  static ConfigSource ads() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();
  }

  static com.google.protobuf.Duration duration(java.time.Duration d) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }

  public static Cluster cluster(ServiceRoute route) {
    Tuning.Outlier outlier = route.tuning().outlier();
    java.time.Duration connect = route.tuning().timeouts().connect().orElse(java.time.Duration.ofSeconds(1));
    Cluster.Builder cluster = Cluster.newBuilder()
        .setName(route.service())
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads()))
        .setConnectTimeout(duration(connect))
        .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
        .setCommonLbConfig(Cluster.CommonLbConfig.newBuilder()
            .setLocalityWeightedLbConfig(Cluster.CommonLbConfig.LocalityWeightedLbConfig.getDefaultInstance())
            .setHealthyPanicThreshold(Percent.newBuilder().setValue(0)))
        .setOutlierDetection(OutlierDetection.newBuilder()
            .setConsecutive5Xx(UInt32Value.of(outlier.consecutive5xx().orElse(5)))
            .setInterval(outlier.interval().map(ClusterFactory::duration).orElse(seconds(10)))
            .setBaseEjectionTime(outlier.baseEjectionTime().map(ClusterFactory::duration).orElse(seconds(30)))
            .setMaxEjectionPercent(UInt32Value.of(outlier.maxEjectionPercent().orElse(50))))
        .setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
            .setPriority(RoutingPriority.DEFAULT)
            .setMaxConnections(UInt32Value.of(1024))
            .setMaxPendingRequests(UInt32Value.of(1024))
            .setMaxRequests(UInt32Value.of(1024))
            .setMaxRetries(UInt32Value.of(3))));
    if (route.http2()) {
      cluster.putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, Any.pack(HttpProtocolOptions.newBuilder()
          .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
              .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
          .build()));
    }
    return cluster.build();
  }
}
