package dev.selat.consul;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** An SSLContext from PEM files as Consul's tooling writes them: CA bundle, client certificate chain, private key. */
final class PemTls {
  private PemTls() {}

  static SSLContext sslContext(String siteId, TlsSettings tls) {
    String f = "sites." + siteId + ".tls.";
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (tls.caFile().isPresent()) {
        KeyStore trust = emptyStore();
        int i = 0;
        for (Certificate c : certificates(f + "caFile", tls.caFile().get())) {
          trust.setCertificateEntry("ca-" + i++, c);
        }
        tmf.init(trust);
      } else {
        tmf.init((KeyStore) null);
      }
      KeyManagerFactory kmf = null;
      if (tls.clientCert().isPresent()) {
        KeyStore keys = emptyStore();
        Certificate[] chain = certificates(f + "clientCert", tls.clientCert().get()).toArray(Certificate[]::new);
        keys.setKeyEntry("client", privateKey(f + "clientKey", tls.clientKey().orElseThrow()), new char[0], chain);
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new ConsulConfigException(f.substring(0, f.length() - 1), "cannot build the TLS context: " + e.getMessage());
    }
  }

  private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    return ks;
  }

  private static Collection<? extends Certificate> certificates(String field, Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new ConsulConfigException(field, "no certificate in " + file);
      }
      return certs;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConsulConfigException(field, "cannot read certificates from " + file + ": " + e.getMessage());
    }
  }

  private static PrivateKey privateKey(String field, Path file) {
    try (Reader r = Files.newBufferedReader(file); PEMParser parser = new PEMParser(r)) {
      Object pem = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (pem instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (pem instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new ConsulConfigException(field, "no unencrypted private key in " + file);
    } catch (IOException e) {
      throw new ConsulConfigException(field, "cannot read the private key from " + file + ": " + e.getMessage());
    }
  }
}
