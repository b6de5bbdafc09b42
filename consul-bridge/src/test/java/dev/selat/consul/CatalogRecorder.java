package dev.selat.consul;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A bridge listener for tests: keeps every catalog delivered, and the latest per site. */
final class CatalogRecorder implements Consumer<SiteCatalog> {
  private final Map<String, SiteCatalog> latest = new ConcurrentHashMap<>();
  private final List<SiteCatalog> all = new CopyOnWriteArrayList<>();

  @Override
  public void accept(SiteCatalog catalog) {
    all.add(catalog);
    latest.put(catalog.siteId(), catalog);
  }

  SiteCatalog latest(String siteId) {
    SiteCatalog c = latest.get(siteId);
    if (c == null) {
      throw new AssertionError("no catalog yet from site " + siteId);
    }
    return c;
  }

  boolean has(String siteId) {
    return latest.containsKey(siteId);
  }

  List<SiteCatalog> all(String siteId) {
    return all.stream().filter(c -> c.siteId().equals(siteId)).toList();
  }

  /** The status of one instance in the latest catalog of a site, or null if absent. */
  ServiceInstance instance(String siteId, String service, String id) {
    if (!has(siteId)) {
      return null;
    }
    return latest(siteId).service(service).flatMap(e -> e.instances().stream().filter(i -> i.id().equals(id)).findFirst())
        .orElse(null);
  }
}
