package dev.selat.controlplane.config;

/**
 * Keys of the Envoy / gRPC node metadata that {@code selatctl bootstrap} writes and the control plane reads. Values are
 * strings.
 */
public final class NodeMetadata {
  /** The site id the proxy runs in. */
  public static final String SITE = "selat.site";
  /** {@link #ROLE_SIDECAR}, {@link #ROLE_GATEWAY} or {@link #ROLE_GRPC}. */
  public static final String ROLE = "selat.role";
  /** The service the proxy fronts (absent for a gateway or a client-only proxy). */
  public static final String SERVICE = "selat.service";
  /** Comma-separated service names the proxy calls; absent means all services. */
  public static final String UPSTREAMS = "selat.upstreams";
  /** The address the outbound listener binds to. */
  public static final String OUTBOUND_ADDRESS = "selat.outbound_address";
  /** The port the outbound listener binds to, as a decimal string. */
  public static final String OUTBOUND_PORT = "selat.outbound_port";
  /**
   * A gateway's probe port, as a decimal string: it forwards TCP and UDP there to its own site's probe agents, so that
   * the other sites' agents measure the path their traffic takes to the gateway.
   */
  public static final String PROBE_PORT = "selat.probe_port";
  /** {@link #SPILL_COMPUTED} for clients that ignore Envoy's overprovisioning factor (proxyless gRPC). */
  public static final String SPILL = "selat.spill";

  public static final String ROLE_SIDECAR = "sidecar";
  public static final String ROLE_GATEWAY = "gateway";
  public static final String ROLE_GRPC = "grpc";
  public static final String SPILL_COMPUTED = "computed";

  private NodeMetadata() {}
}
