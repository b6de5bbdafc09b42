package dev.selat.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Decides whether a node may claim its id given the client certificate chain it presented (empty
 * without TLS or without a client certificate). A stream whose node fails the check is closed
 * with PERMISSION_DENIED before anything is sent. Called once per stream, on its executor.
 */
@FunctionalInterface
public interface NodeIdentityVerifier {

  boolean permits(Node node, List<X509Certificate> clientChain);

  static NodeIdentityVerifier permitAll() {
    return (node, chain) -> true;
  }

  /**
   * The node id must equal a DNS or URI subject alternative name of the client's certificate, or
   * its subject common name; a node without a certificate is refused.
   */
  static NodeIdentityVerifier nodeIdInCertificate() {
    return (node, chain) -> !chain.isEmpty() && certificateNames(chain.get(0)).contains(node.getId());
  }

  private static List<String> certificateNames(X509Certificate certificate) {
    ArrayList<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          int kind = (Integer) san.get(0);
          if (kind == 2 || kind == 6) { // dNSName, uniformResourceIdentifier
            names.add((String) san.get(1));
          }
        }
      }
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          names.add(rdn.getValue().toString());
        }
      }
    } catch (CertificateParsingException | InvalidNameException e) {
      return List.of(); // an unreadable certificate names nobody
    }
    return names;
  }
}
