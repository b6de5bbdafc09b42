package dev.selat.emulator.agent;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The Connect CA root: a real self-signed EC P-256 certificate with Consul's SPIFFE trust domain,
 * generated on first use (start-up stays fast; sdk/testutil asks for it only after the API is up).
 */
public final class ConnectCa {
  public static final String CLUSTER_ID = "11111111-2222-3333-4444-555555555555";
  private final Clock clock;
  private final String datacenter;
  private Map<String, Object> roots;

  public ConnectCa(Clock clock, String datacenter) {
    this.clock = clock;
    this.datacenter = datacenter;
  }

  /** api.CARootList. */
  public synchronized Map<String, Object> roots() {
    if (roots == null) {
      roots = generate(clock, datacenter);
    }
    return roots;
  }

  private static Map<String, Object> generate(Clock clock, String datacenter) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair kp = g.generateKeyPair();
      String trustDomain = CLUSTER_ID + ".consul";
      Instant now = clock.instant();
      Instant notAfter = now.plus(Duration.ofDays(3650));
      X500Name name = new X500Name("CN=Consul CA 7");
      BigInteger serial = BigInteger.valueOf(7);
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial, Date.from(now.minusSeconds(60)),
          Date.from(notAfter), name, kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign
          | KeyUsage.digitalSignature));
      b.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
      X509CertificateHolder cert = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
      byte[] der = cert.getEncoded();
      String pem = "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END CERTIFICATE-----\n";
      byte[] keyId = MessageDigest.getInstance("SHA-1").digest(kp.getPublic().getEncoded());
      String id = HexFormat.ofDelimiter(":").formatHex(keyId);
      Map<String, Object> root = new LinkedHashMap<>();
      root.put("ID", id);
      root.put("Name", "Consul CA Primary Cert");
      root.put("SerialNumber", 7);
      root.put("SigningKeyID", id);
      root.put("ExternalTrustDomain", CLUSTER_ID);
      root.put("NotBefore", now.minusSeconds(60).toString());
      root.put("NotAfter", notAfter.toString());
      root.put("RootCert", pem);
      root.put("IntermediateCerts", null);
      root.put("Active", true);
      root.put("PrivateKeyType", "ec");
      root.put("PrivateKeyBits", 256);
      root.put("CreateIndex", 1);
      root.put("ModifyIndex", 1);
      Map<String, Object> list = new LinkedHashMap<>();
      list.put("ActiveRootID", id);
      list.put("TrustDomain", trustDomain);
      list.put("Roots", List.of(root));
      return list;
    } catch (Exception e) {
      throw new IllegalStateException("cannot generate the Connect CA root for " + datacenter, e);
    }
  }
}
