package dev.selat.controlplane.envoy;

import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.xds.VersionedResource;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The RouteConfiguration of one listener (a virtual host per service), kept between builds: a service's virtual host is
 * built again only when its route's resources changed, and the RouteConfiguration is built and serialized again only
 * when one of its virtual hosts did (a health change, say, changes none: the same resource is returned). What it
 * returns is what {@link RouteFactory#routes} would build from every route now, byte for byte. Not thread-safe: one
 * {@link ProxyResources} owns it.
 */
final class ListenerRoutes {
  private record Host(ServiceRoute route, VirtualHost host) {}

  private final String name;
  private final Function<ServiceRoute, VirtualHost> hostOf;
  private final Map<String, Host> hosts = new HashMap<>();
  private List<VirtualHost> last = List.of();
  private VersionedResource built;

  /** {@code hostOf}: a service's virtual host from its route; it must depend only on what {@link ServiceRoute#sameResources} compares. */
  ListenerRoutes(String name, Function<ServiceRoute, VirtualHost> hostOf) {
    this.name = name;
    this.hostOf = hostOf;
  }

  /** The RouteConfiguration for {@code sorted} (the routes in service order). */
  VersionedResource of(List<ServiceRoute> sorted) {
    List<VirtualHost> next = new ArrayList<>(sorted.size());
    for (ServiceRoute route : sorted) {
      Host h = hosts.get(route.service());
      if (h == null || (h.route() != route && !h.route().sameResources(route))) {
        VirtualHost fresh = hostOf.apply(route);
        // An equal host keeps its instance, so that an unchanged RouteConfiguration is seen as unchanged below.
        h = new Host(route, h != null && h.host().equals(fresh) ? h.host() : fresh);
        hosts.put(route.service(), h);
      } else if (h.route() != route) {
        hosts.put(route.service(), h = new Host(route, h.host()));
      }
      next.add(h.host());
    }
    if (hosts.size() > sorted.size()) {
      Set<String> present = new HashSet<>();
      sorted.forEach(r -> present.add(r.service()));
      hosts.keySet().retainAll(present);
    }
    if (built == null || !sameInstances(last, next)) {
      built = VersionedResource.of(name, RouteFactory.routes(name, next));
      last = next;
    }
    return built;
  }

  private static boolean sameInstances(List<VirtualHost> a, List<VirtualHost> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }
}
