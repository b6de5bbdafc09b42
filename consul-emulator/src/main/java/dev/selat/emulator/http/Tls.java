package dev.selat.emulator.http;

import dev.selat.emulator.EmulatorConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** The HTTPS listener's TLS from PEM files (cert_file, key_file, ca_file) and verify_incoming. */
final class Tls {
  private Tls() {}

  static SslContextFactory.Server contextFactory(EmulatorConfig.Tls tls) throws IOException, GeneralSecurityException {
    char[] pass = "selat".toCharArray();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    List<Certificate> chain = certificates(tls.certFile().orElseThrow());
    ks.setKeyEntry("server", privateKey(tls.keyFile().orElseThrow()), pass, chain.toArray(new Certificate[0]));
    SslContextFactory.Server f = new SslContextFactory.Server();
    f.setKeyStore(ks);
    f.setKeyStorePassword("selat");
    if (tls.caFile().isPresent()) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (Certificate c : certificates(tls.caFile().get())) {
        trust.setCertificateEntry("ca" + i++, c);
      }
      f.setTrustStore(trust);
    }
    f.setNeedClientAuth(tls.verifyIncoming());
    return f;
  }

  private static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
    try (var in = Files.newInputStream(pem)) {
      List<Certificate> out = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
      if (out.isEmpty()) {
        throw new IOException("no certificate in " + pem);
      }
      return out;
    }
  }

  private static PrivateKey privateKey(Path pem) throws IOException {
    try (Reader r = Files.newBufferedReader(pem); PEMParser p = new PEMParser(r)) {
      Object o = p.readObject();
      PrivateKeyInfo info = o instanceof PEMKeyPair kp ? kp.getPrivateKeyInfo()
          : o instanceof PrivateKeyInfo pki ? pki : null;
      if (info == null) {
        throw new IOException("key_file " + pem + " holds no PEM private key");
      }
      return new JcaPEMKeyConverter().getPrivateKey(info);
    }
  }
}
