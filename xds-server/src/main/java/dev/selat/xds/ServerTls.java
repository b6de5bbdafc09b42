package dev.selat.xds;

import static java.util.Objects.requireNonNull;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A gRPC server's TLS from PEM files: its certificate chain and PKCS#8 private key and, for mutual TLS, the CA that
 * every client's certificate must chain to (a client without one, or with another, fails the handshake). The xDS
 * server's and the control plane's policy API listener's, in one place.
 */
public record ServerTls(Path certChain, Path privateKey, Optional<Path> trustedClientCa) {
  public ServerTls {
    requireNonNull(certChain, "certChain");
    requireNonNull(privateKey, "privateKey");
    requireNonNull(trustedClientCa, "trustedClientCa");
  }

  /** The credentials; a file that cannot be read is an IllegalArgumentException naming it. */
  public ServerCredentials credentials() {
    TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder();
    try {
      tls.keyManager(certChain.toFile(), privateKey.toFile());
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("tls: cannot read certChain " + certChain + " / privateKey "
          + privateKey + ": " + e.getMessage(), e);
    }
    if (trustedClientCa.isPresent()) {
      try {
        tls.trustManager(trustedClientCa.get().toFile());
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException("mtls: cannot read trustedClientCa " + trustedClientCa.get() + ": "
            + e.getMessage(), e);
      }
      tls.clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    return tls.build();
  }
}
