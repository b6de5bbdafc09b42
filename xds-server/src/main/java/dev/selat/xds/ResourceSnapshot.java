package dev.selat.xds;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable set of resources for one group: type URL -> name -> {@link VersionedResource}.
 * Iteration is in name order, so equal inputs give byte-identical responses.
 */
public final class ResourceSnapshot {
  private static final ResourceSnapshot EMPTY = new ResourceSnapshot(Map.of());

  private final Map<String, Map<String, VersionedResource>> byType;
  private final Map<String, Map<String, String>> versionsByType;
  private final Map<String, List<String>> namesByType;
  /** Made on first use: most snapshots never see a fresh Delta subscription to all of a type. */
  private final Map<String, Map<String, String>> unansweredByType = new ConcurrentHashMap<>();
  private final Map<String, String> typeVersions;
  private final String version;

  private ResourceSnapshot(Map<String, Map<String, VersionedResource>> byType) {
    this.byType = byType;
    Map<String, Map<String, String>> versions = new LinkedHashMap<>();
    Map<String, String> typeVersions = new LinkedHashMap<>();
    Map<String, List<String>> names = new LinkedHashMap<>();
    long sum = 0;
    for (Map.Entry<String, Map<String, VersionedResource>> type : byType.entrySet()) {
      long typeIdentity = setIdentity(type.getValue().values());
      sum += typeIdentity;
      typeVersions.put(type.getKey(), Long.toHexString(typeIdentity));
      Map<String, String> byName = new LinkedHashMap<>();
      type.getValue().forEach((name, r) -> byName.put(name, r.version()));
      versions.put(type.getKey(), Collections.unmodifiableMap(byName));
      names.put(type.getKey(), List.copyOf(type.getValue().keySet()));
    }
    this.namesByType = Collections.unmodifiableMap(names);
    this.versionsByType = Collections.unmodifiableMap(versions);
    this.typeVersions = Collections.unmodifiableMap(typeVersions);
    this.version = Long.toHexString(sum);
  }

  public static ResourceSnapshot empty() {
    return EMPTY;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The resources of one type, by name; empty when the snapshot has none. */
  public Map<String, VersionedResource> resources(String typeUrl) {
    return byType.getOrDefault(typeUrl, Map.of());
  }

  /** name -> version of one type; shared by every Delta stream in sync with this snapshot. */
  Map<String, String> versions(String typeUrl) {
    return versionsByType.getOrDefault(typeUrl, Map.of());
  }

  /** The names of one type, sorted; shared by every stream that subscribes to exactly these. */
  List<String> names(String typeUrl) {
    return namesByType.getOrDefault(typeUrl, List.of());
  }

  /**
   * Every name of one type mapped to {@link DeltaStream#UNANSWERED}: what a Delta stream holds when
   * it has just subscribed to all of them and been answered nothing yet, shared by every such stream.
   */
  Map<String, String> unanswered(String typeUrl) {
    return unansweredByType.computeIfAbsent(typeUrl, t -> {
      Map<String, String> all = new LinkedHashMap<>();
      names(t).forEach(name -> all.put(name, DeltaStream.UNANSWERED));
      return Collections.unmodifiableMap(all);
    });
  }

  /** The hex {@link #setIdentity} of one type's resources ("0" for none). */
  String typeVersion(String typeUrl) {
    return typeVersions.getOrDefault(typeUrl, "0");
  }

  /** Type URLs that have at least one resource. */
  public Set<String> typeUrls() {
    return byType.keySet();
  }

  /** A hash of every resource; Delta responses carry it as system_version_info. */
  public String version() {
    return version;
  }

  /** An order-independent 64-bit hash of a set of resources (name and content). */
  static long setIdentity(Iterable<VersionedResource> resources) {
    long sum = 0;
    for (VersionedResource r : resources) {
      sum += r.identity();
    }
    return sum;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ResourceSnapshot{version=").append(version);
    byType.forEach((t, r) -> sb.append(", ").append(TypeUrls.shortName(t)).append('=').append(r.size()));
    return sb.append('}').toString();
  }

  /** Collects resources; a second resource of the same type and name replaces the first. */
  public static final class Builder {
    private final Map<String, Map<String, VersionedResource>> byType = new TreeMap<>();

    private Builder() {}

    public Builder cluster(Cluster cluster) {
      return add(VersionedResource.of(cluster.getName(), cluster));
    }

    public Builder endpoints(ClusterLoadAssignment assignment) {
      return add(VersionedResource.of(assignment.getClusterName(), assignment));
    }

    public Builder listener(Listener listener) {
      return add(VersionedResource.of(listener.getName(), listener));
    }

    public Builder route(RouteConfiguration route) {
      return add(VersionedResource.of(route.getName(), route));
    }

    /** Any other resource type, passed through as is. */
    public Builder add(String name, Message resource) {
      return add(VersionedResource.of(name, resource));
    }

    public Builder add(VersionedResource resource) {
      requireNonNull(resource, "resource");
      byType.computeIfAbsent(resource.typeUrl(), t -> new TreeMap<>()).put(resource.name(), resource);
      return this;
    }

    public ResourceSnapshot build() {
      Map<String, Map<String, VersionedResource>> copy = new LinkedHashMap<>();
      byType.forEach((type, resources) ->
          copy.put(type, Collections.unmodifiableMap(new LinkedHashMap<>(resources))));
      return new ResourceSnapshot(Collections.unmodifiableMap(copy));
    }
  }
}
