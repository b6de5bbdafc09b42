package dev.selat.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Decides whether a node may claim its id given the client certificate chain it presented (empty
 * without TLS or without a client certificate). A stream whose node fails the check is closed
 * with PERMISSION_DENIED before anything is sent.
 */
@FunctionalInterface
public interface NodeIdentityVerifier {

  boolean permits(Node node, List<X509Certificate> clientChain);

  static NodeIdentityVerifier permitAll() {
    return (node, chain) -> true;
  }
}
