package dev.selat.controlplane.envoy;

/** How a client spills across sites, which decides the shape of its endpoint assignments. */
public enum ClientKind {
  /** Envoy: priorities with every endpoint's health; Envoy spills by the overprovisioning factor. */
  ENVOY,
  /** A proxyless gRPC client (gRFCs A27/A56): one priority of weighted localities, the spill computed by Selat. */
  GRPC
}
