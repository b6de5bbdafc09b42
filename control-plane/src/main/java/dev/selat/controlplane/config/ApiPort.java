package dev.selat.controlplane.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The policy API's own listener ({@code ports.api}): without it the PolicyService shares {@code ports.xds}, in
 * plaintext; with it the xDS port no longer serves it. With {@code tls} it speaks TLS, and with {@code tls.clientCaFile}
 * mutual TLS: a client without a certificate signed by that CA fails the handshake.
 */
public record ApiPort(Endpoint endpoint, Optional<Tls> tls) {
  public static final Endpoint DEFAULT = new Endpoint("0.0.0.0", 18001);

  public ApiPort {
    requireNonNull(endpoint, "endpoint");
    requireNonNull(tls, "tls");
  }

  /** PEM files: the server's certificate chain and PKCS#8 key, and the CA of the clients' certificates (mTLS). */
  public record Tls(Path certFile, Path keyFile, Optional<Path> clientCaFile) {
    public Tls {
      requireNonNull(certFile, "certFile");
      requireNonNull(keyFile, "keyFile");
      requireNonNull(clientCaFile, "clientCaFile");
    }
  }

  /** Whether clients must present a certificate signed by {@code tls.clientCaFile}. */
  public boolean mutualTls() {
    return tls.flatMap(Tls::clientCaFile).isPresent();
  }
}
