package dev.selat.controlplane.server;

import static java.util.Objects.requireNonNull;

import dev.selat.consul.SyncState;
import dev.selat.controlplane.config.NodeMetadata;
import dev.selat.controlplane.envoy.ClientKind;
import dev.selat.controlplane.routing.LocalityRoute;
import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.controlplane.routing.SitePair;
import dev.selat.xds.VersionedResource;
import dev.selat.xds.XdsCallbacks;
import dev.selat.xds.XdsStreamInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The operator's view of what happens: turns the publish loop's changes and the xDS streams' answers into the
 * control plane's meters ({@link ControlPlaneMetrics}), the recent-events ring ({@link EventLog}) and propagation
 * latency ({@link Propagation}). Called on the routes scheduler (as a {@link RouteListener}) and on the streams'
 * executors (as {@link XdsCallbacks}); every call is short and thread-safe.
 */
final class OperatorView implements RouteListener, XdsCallbacks {
  /** A NACK's message in the events list is cut here (Envoy's can be long); /debug/proxies keeps it whole. */
  private static final int NACK_DETAIL_SHOWN = 500;

  private final ControlPlaneMetrics metrics;
  private final EventLog events;
  private final Propagation propagation;

  OperatorView(ControlPlaneMetrics metrics, EventLog events, Clock clock) {
    this.metrics = requireNonNull(metrics, "metrics");
    this.events = requireNonNull(events, "events");
    this.propagation = new Propagation(clock, metrics::propagated);
  }

  EventLog events() {
    return events;
  }

  private void event(EventLog.Kind kind, String site, String service, String message) {
    events.add(kind, site, service, message);
    metrics.event(kind);
  }

  @Override
  public void siteState(String site, Optional<SyncState> before, SyncState after) {
    if (before.isEmpty() && after == SyncState.SYNCED) {
      return; // a first sync is no news
    }
    event(EventLog.Kind.SITE_STATE, site, null, "site " + site + ": "
        + before.map(s -> s.name().toLowerCase() + " -> ").orElse("") + after.name().toLowerCase());
  }

  @Override
  public void routeChanged(String site, boolean gateway, Optional<ServiceRoute> before, ServiceRoute after,
      Cause cause) {
    EventLog.Kind kind = kind(before, after);
    metrics.routeChanged(cause, kind);
    if (after.noEndpointsCause().isPresent() && before.flatMap(ServiceRoute::noEndpointsCause).isEmpty()) {
      metrics.policyBlocked();
    }
    if (kind == EventLog.Kind.NEW_ROUTE) {
      return;
    }
    String whose = gateway ? "the gateway of " + site : "clients in " + site;
    event(kind, site, after.service(), after.service() + " for " + whose + " (" + cause.tag() + "): "
        + before.map(b -> shares(b)).orElse("{}") + " -> " + shares(after));
  }

  /**
   * A new route when there was none; failover when the site with the largest share changed; reorder when the sites'
   * priority order did; else shares.
   */
  static EventLog.Kind kind(Optional<ServiceRoute> before, ServiceRoute after) {
    if (before.isEmpty()) {
      return EventLog.Kind.NEW_ROUTE;
    }
    if (!top(before.get()).equals(top(after))) {
      return EventLog.Kind.FAILOVER;
    }
    return order(before.get()).equals(order(after)) ? EventLog.Kind.SHARES : EventLog.Kind.REORDER;
  }

  private static String top(ServiceRoute r) {
    return r.shares().entrySet().stream().filter(e -> e.getValue() > 0)
        .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
        .map(Map.Entry::getKey).orElse("");
  }

  private static List<String> order(ServiceRoute r) {
    return r.priorities().stream().sorted(Comparator.comparingInt(LocalityRoute::priority))
        .map(l -> l.priority() + ":" + l.site()).toList();
  }

  private static String shares(ServiceRoute r) {
    StringBuilder b = new StringBuilder("{");
    new TreeMap<>(r.shares()).forEach((site, perMille) -> b.append(b.length() > 1 ? ", " : "").append(site)
        .append(' ').append(perMille / 10.0).append('%'));
    return b.append('}').toString();
  }

  @Override
  public void hysteresisHeld(SitePair pair, Duration measured, Duration held) {
    event(EventLog.Kind.HYSTERESIS_HELD, pair.from(), null, String.format(
        "%s -> %s measured %.1f ms, routing holds %.1f ms for the dwell time", pair.from(), pair.to(),
        DebugJson.ms(measured), DebugJson.ms(held)));
  }

  @Override
  public void publishing(String group, Instant changeObservedAt) {
    propagation.publishing(group, changeObservedAt);
  }

  @Override
  public void onStreamOpen(XdsStreamInfo stream) {
    metrics.proxyConnected(ProxyGroup.of(stream.node()).site(), role(stream), 1);
  }

  @Override
  public void onStreamClose(XdsStreamInfo stream) {
    metrics.proxyConnected(ProxyGroup.of(stream.node()).site(), role(stream), -1);
    propagation.closed(stream.id());
  }

  @Override
  public void onResponse(XdsStreamInfo stream, String typeUrl, Collection<VersionedResource> resources,
      Collection<String> removed) {
    propagation.responded(stream.id(), stream.group(), typeUrl);
  }

  @Override
  public void onAck(XdsStreamInfo stream, String typeUrl, String nonce) {
    propagation.answered(stream.id(), typeUrl);
  }

  @Override
  public void onNack(XdsStreamInfo stream, String typeUrl, String nonce, String errorDetail) {
    propagation.answered(stream.id(), typeUrl);
    String site = ProxyGroup.of(stream.node()).site();
    String detail = errorDetail.length() > NACK_DETAIL_SHOWN ? errorDetail.substring(0, NACK_DETAIL_SHOWN) + "…"
        : errorDetail;
    event(EventLog.Kind.NACK, site, null, "NACK from " + stream.node().getId() + " (" + site + ") for "
        + typeUrl.substring(typeUrl.lastIndexOf('.') + 1) + ": " + detail);
  }

  /** The proxy's role as the {@code role} tag: gateway, grpc (any client that spills by computed weights), sidecar. */
  static String role(XdsStreamInfo stream) {
    ProxyGroup g = ProxyGroup.of(stream.node());
    return g.gateway() ? NodeMetadata.ROLE_GATEWAY : g.kind() == ClientKind.GRPC ? NodeMetadata.ROLE_GRPC
        : NodeMetadata.ROLE_SIDECAR;
  }
}
