package dev.selat.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Test PKI made on the fly with BouncyCastle: a CA and leaf certificates, written as PEM files (keys as PKCS#8). */
public final class TestCertificates {
  private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());

  /** A certificate and its key on disk. */
  public record Issued(X509Certificate certificate, KeyPair keys, Path certFile, Path keyFile) {}

  private TestCertificates() {}

  /** A self-signed CA (or, used as a client certificate, a certificate nobody trusts). */
  public static Issued selfSigned(Path dir, String commonName) throws Exception {
    KeyPair keys = newKeys();
    X500Name name = new X500Name("CN=" + commonName);
    Instant now = Instant.now();
    X509v3CertificateBuilder builder = builder(name, name, keys, now.minus(Duration.ofHours(1)),
            now.plus(Duration.ofDays(1)))
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature));
    return write(dir, commonName, sign(builder, keys), keys);
  }

  /** A leaf signed by {@code ca}, with the given subject alternative names. */
  public static Issued leaf(Path dir, Issued ca, String commonName, GeneralName... sans) throws Exception {
    Instant now = Instant.now();
    return leaf(dir, ca, commonName, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), sans);
  }

  /** A leaf signed by {@code ca} that expired a day ago. */
  public static Issued expiredLeaf(Path dir, Issued ca, String commonName, GeneralName... sans) throws Exception {
    Instant now = Instant.now();
    return leaf(dir, ca, commonName, now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)), sans);
  }

  private static Issued leaf(Path dir, Issued ca, String commonName, Instant notBefore, Instant notAfter,
      GeneralName... sans) throws Exception {
    KeyPair keys = newKeys();
    X509v3CertificateBuilder builder = builder(new X500Name(ca.certificate().getSubjectX500Principal().getName()),
            new X500Name("CN=" + commonName), keys, notBefore, notAfter)
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
    return write(dir, commonName, sign(builder, ca.keys()), keys);
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Instant notBefore,
      Instant notAfter) {
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
        Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  private static KeyPair newKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  private static Issued write(Path dir, String name, X509Certificate certificate, KeyPair keys) throws IOException {
    StringWriter pem = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
      writer.writeObject(certificate);
    }
    Path certFile = Files.writeString(dir.resolve(name + ".crt"), pem.toString());
    // PKCS#8, the form gRPC's TLS credentials read.
    String key = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    Path keyFile = Files.writeString(dir.resolve(name + ".key"), key);
    return new Issued(certificate, keys, certFile, keyFile);
  }
}
