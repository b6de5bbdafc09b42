package dev.selat.emulator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selat.emulator.ConsulEmulator;
import dev.selat.emulator.EmulatorConfig;
import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTPS listener with verify_incoming: a client certificate signed by the CA is required. */
class TlsTest {
  @TempDir Path dir;

  private record Issued(KeyPair keys, X509Certificate cert) {}

  private static KeyPair keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static Issued issue(String cn, Issued ca, boolean isCa) throws Exception {
    KeyPair kp = keys();
    X500Name subject = new X500Name("CN=" + cn);
    X500Name issuer = ca == null ? subject : new X500Name(ca.cert().getSubjectX500Principal().getName());
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), subject, kp.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (!isCa) {
      b.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
    }
    var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(ca == null ? kp.getPrivate() : ca.keys().getPrivate());
    return new Issued(kp, new JcaX509CertificateConverter().getCertificate(b.build(signer)));
  }

  private Path pem(String name, Object o) throws IOException {
    Path p = dir.resolve(name);
    try (Writer w = Files.newBufferedWriter(p); JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    return p;
  }

  private static SSLContext context(Issued ca, Issued client) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.cert());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    if (client != null) {
      ks.setKeyEntry("client", client.keys().getPrivate(), "p".toCharArray(),
          new java.security.cert.Certificate[] {client.cert()});
    }
    kmf.init(ks, "p".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  @Test
  void https_verifyIncoming_servesClientWithCertAndRejectsOneWithout() throws Exception {
    Issued ca = issue("Test CA", null, true);
    Issued server = issue("server.dc1.consul", ca, false);
    Issued client = issue("client", ca, false);
    EmulatorConfig.Tls tls = new EmulatorConfig.Tls(Optional.of(pem("server.pem", server.cert())),
        Optional.of(pem("server-key.pem", new JcaPKCS8Generator(server.keys().getPrivate(), null))), Optional.of(pem("ca.pem", ca.cert())), true);
    try (ConsulEmulator e = ConsulEmulator.start(EmulatorConfig.builder().httpsPort(0).tls(tls).build())) {
      var uri = e.httpsAddress().orElseThrow().resolve("/v1/status/leader");
      HttpResponse<String> ok = HttpClient.newBuilder().sslContext(context(ca, client)).build()
          .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> HttpClient.newBuilder().sslContext(context(ca, null)).build()
          .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void https_notConfigured_hasNoHttpsAddress() {
    try (ConsulEmulator e = ConsulEmulator.start(EmulatorConfig.builder().build())) {
      assertThat(e.httpsAddress()).isEmpty();
    }
  }
}
