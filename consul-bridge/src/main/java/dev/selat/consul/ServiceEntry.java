package dev.selat.consul;

import static java.util.Comparator.comparing;
import static java.util.Objects.requireNonNull;

import java.util.List;

/** One service of a site with its selected instances, sorted by node then id so that equal states compare equal. */
public record ServiceEntry(String name, List<ServiceInstance> instances) {
  public ServiceEntry {
    requireNonNull(name, "name");
    instances = instances.stream()
        .sorted(comparing(ServiceInstance::node).thenComparing(ServiceInstance::id))
        .toList();
  }
}
