package dev.selat.consul;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a site's two watches say about which services must be fetched again, and the last fetched entry of each.
 *
 * <p>The service list gives names and tags: new, removed and re-tagged services are marked; an index that rose with
 * none of those means a registration changed that no list shows (an address, a port, a check-less instance), so every
 * selected service is marked. The health state gives every check's ModifyIndex: a service check that appeared,
 * changed or went marks its service; a node check marks every service with an instance on that node. Not thread-safe:
 * owned by the site's owner executor.
 */
final class ChangeTracker {
  private final ServiceSelector selector;
  private Map<String, List<String>> serviceTags = Map.of();
  private Map<String, CheckState> checks = Map.of();
  private boolean servicesLoaded;
  private boolean checksLoaded;
  private final Map<String, ServiceEntry> entries = new HashMap<>();
  private final Set<String> dirty = new LinkedHashSet<>();

  ChangeTracker(ServiceSelector selector) {
    this.selector = selector;
  }

  /**
   * Applies a service list; {@code indexMoved} says whether its X-Consul-Index differs from the previous answer's (a
   * blocking query that timed out returns the same index and the same list: nothing happened).
   */
  void onServices(Map<String, List<String>> all, boolean indexMoved) {
    Map<String, List<String>> selected = new HashMap<>();
    all.forEach((name, tags) -> {
      if (selector.mayMatch(tags)) {
        selected.put(name, tags);
      }
    });
    boolean explained = !servicesLoaded;
    for (String name : serviceTags.keySet()) {
      if (!selected.containsKey(name)) {
        entries.remove(name);
        dirty.remove(name);
        explained = true;
      }
    }
    for (Map.Entry<String, List<String>> e : selected.entrySet()) {
      if (!e.getValue().equals(serviceTags.get(e.getKey()))) {
        dirty.add(e.getKey());
        explained = true;
      }
    }
    if (!explained && indexMoved) {
      dirty.addAll(selected.keySet());
    }
    serviceTags = selected;
    servicesLoaded = true;
  }

  void onChecks(List<CheckState> next) {
    Map<String, CheckState> byKey = new HashMap<>(next.size() * 2);
    for (CheckState c : next) {
      byKey.put(c.node() + '\0' + c.checkId(), c);
    }
    if (checksLoaded) {
      Set<String> nodes = new HashSet<>();
      byKey.forEach((key, c) -> {
        CheckState before = checks.get(key);
        if (before == null || before.modifyIndex() != c.modifyIndex()) {
          touched(c, nodes);
        }
      });
      checks.forEach((key, c) -> {
        if (!byKey.containsKey(key)) {
          touched(c, nodes);
        }
      });
      if (!nodes.isEmpty()) {
        entries.forEach((name, entry) -> {
          if (entry.instances().stream().anyMatch(i -> nodes.contains(i.node()))) {
            dirty.add(name);
          }
        });
      }
    }
    checks = byKey;
    checksLoaded = true;
  }

  private void touched(CheckState c, Set<String> nodes) {
    if (c.isNodeCheck()) {
      nodes.add(c.node());
    } else if (serviceTags.containsKey(c.serviceName())) {
      dirty.add(c.serviceName());
    }
  }

  /** Both watches answered at least once. */
  boolean loaded() {
    return servicesLoaded && checksLoaded;
  }

  boolean isSelected(String service) {
    return serviceTags.containsKey(service);
  }

  boolean hasDirty() {
    return !dirty.isEmpty();
  }

  void markDirty(Collection<String> services) {
    services.stream().filter(this::isSelected).forEach(dirty::add);
  }

  /** Takes the oldest marked service that {@code busy} does not reject, or null. */
  String pollDirty(Predicate<String> busy) {
    for (Iterator<String> it = dirty.iterator(); it.hasNext(); ) {
      String name = it.next();
      if (!busy.test(name)) {
        it.remove();
        return name;
      }
    }
    return null;
  }

  /** Records a fetch; an unchanged entry keeps its old object, so deltas compare by identity first. */
  void fetched(String service, List<ServiceInstance> instances) {
    if (isSelected(service)) {
      ServiceEntry entry = new ServiceEntry(service, instances.stream().filter(selector::matches).toList());
      if (!entry.equals(entries.get(service))) {
        entries.put(service, entry);
      }
    }
  }

  /** The services with at least one selected instance. */
  Map<String, ServiceEntry> visible() {
    Map<String, ServiceEntry> out = new HashMap<>();
    entries.forEach((name, entry) -> {
      if (!entry.instances().isEmpty()) {
        out.put(name, entry);
      }
    });
    return out;
  }
}
