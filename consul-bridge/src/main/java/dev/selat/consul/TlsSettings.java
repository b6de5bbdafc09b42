package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS towards a site's Consul: a CA bundle to trust (else the JDK's), an optional client certificate and key (both or
 * neither), and the name to verify in the server certificate when it differs from the address's host.
 */
public record TlsSettings(Optional<Path> caFile, Optional<Path> clientCert, Optional<Path> clientKey, Optional<String> serverName) {
  public static final TlsSettings NONE = new TlsSettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  public TlsSettings {
    requireNonNull(caFile, "caFile");
    requireNonNull(clientCert, "clientCert");
    requireNonNull(clientKey, "clientKey");
    requireNonNull(serverName, "serverName");
    if (clientCert.isPresent() != clientKey.isPresent()) {
      throw new ConsulConfigException(clientCert.isPresent() ? "tls.clientKey" : "tls.clientCert",
          "a client certificate and its key go together");
    }
    if (serverName.filter(String::isBlank).isPresent()) {
      throw new ConsulConfigException("tls.serverName", "must not be blank");
    }
  }

  public boolean isConfigured() {
    return !equals(NONE);
  }
}
