package dev.selat.controlplane.envoy;

import com.google.protobuf.UInt32Value;
import dev.selat.controlplane.routing.Health;
import dev.selat.controlplane.routing.LocalityRoute;
import dev.selat.controlplane.routing.RoutedEndpoint;
import dev.selat.controlplane.routing.ServiceRoute;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.List;

/** A service's ClusterLoadAssignment for one client site: one locality per site (region = site region, zone = site id). */
public final class EndpointFactory {
  private EndpointFactory() {}

  public static ClusterLoadAssignment assignment(ServiceRoute route, ClientKind kind, int overprovisioningFactor) {
    List<LocalityRoute> localities = kind == ClientKind.GRPC ? route.computedSpill() : route.priorities();
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder()
        .setClusterName(route.service())
        .setPolicy(ClusterLoadAssignment.Policy.newBuilder()
            .setOverprovisioningFactor(UInt32Value.of(kind == ClientKind.ENVOY ? overprovisioningFactor : 100)));
    for (LocalityRoute l : localities) {
      LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder()
          .setLocality(Locality.newBuilder().setRegion(l.region()).setZone(l.site()))
          .setPriority(l.priority())
          .setLoadBalancingWeight(UInt32Value.of(l.weight()));
      for (RoutedEndpoint e : l.endpoints()) {
        locality.addLbEndpoints(LbEndpoint.newBuilder()
            .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder()
                .setAddress(e.address().host()).setPortValue(e.address().port()))))
            .setHealthStatus(health(e.health()))
            .setLoadBalancingWeight(UInt32Value.of(e.weight())));
      }
      cla.addEndpoints(locality);
    }
    return cla.build();
  }

  static HealthStatus health(Health health) {
    return switch (health) {
      case HEALTHY -> HealthStatus.HEALTHY;
      case DEGRADED -> HealthStatus.DEGRADED;
      case UNHEALTHY -> HealthStatus.UNHEALTHY;
      case DRAINING -> HealthStatus.DRAINING;
    };
  }
}
