package dev.selat.controlplane.server;

import static dev.selat.controlplane.server.PolicyIT.bearer;
import static dev.selat.controlplane.server.PolicyIT.selatctl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.selat.controlplane.config.ConfigLoader;
import dev.selat.proto.v1.ApplyPolicyRequest;
import dev.selat.proto.v1.ListPoliciesRequest;
import dev.selat.proto.v1.PolicyServiceGrpc;
import dev.selat.proto.v1.RoutingMode;
import dev.selat.proto.v1.RoutingPolicy;
import dev.selat.proto.v1.Selector;
import dev.selat.testkit.TestCertificates;
import dev.selat.testkit.ThreeSites;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The policy API on a port of its own with mutual TLS ({@code ports.api.tls}), certificates made at test time, on a
 * running control plane over three testkit sites: a client without a certificate, with one its CA did not sign, with
 * an expired one, or in plaintext is refused at the handshake, whatever token it sends; a signed certificate still needs the token when one
 * is configured, and alone is enough when none is; the xDS port no longer serves the API; selatctl speaks it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyApiTlsIT {
  private static final String TOKEN = "policy-tls-it-token-77d1e0";
  private static ThreeSites sites;
  private static Path dir;
  private static TestCertificates.Issued ca;
  private static TestCertificates.Issued operator;
  private static TestCertificates.Issued rogue;
  private static TestCertificates.Issued impostor;
  private static TestCertificates.Issued expired;
  private static ControlPlane cp;
  private static final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    sites = ThreeSites.start(false);
    dir = Files.createTempDirectory("policy-api-tls");
    ca = TestCertificates.selfSigned(dir, "selat-api-ca");
    TestCertificates.Issued server = TestCertificates.leaf(dir, ca, "selat-api",
        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    operator = TestCertificates.leaf(dir, ca, "operator", new GeneralName(GeneralName.dNSName, "operator"));
    rogue = TestCertificates.selfSigned(dir, "operator-rogue"); // a certificate the CA never signed
    // Signed by another CA of the CA's very name: the client presents it (the server's CA list names it), and the
    // server's check of the signature refuses it.
    expired = TestCertificates.expiredLeaf(dir, ca, "operator-expired", new GeneralName(GeneralName.dNSName, "operator"));
    Path elsewhere = Files.createDirectories(dir.resolve("impostor"));
    impostor = TestCertificates.leaf(elsewhere, TestCertificates.selfSigned(elsewhere, "selat-api-ca"), "operator",
        new GeneralName(GeneralName.dNSName, "operator"));
    cp = controlPlane(server, Map.of(ApiToken.VALUE_ENV, TOKEN));
  }

  @AfterAll
  static void stop() throws Exception {
    ItMesh.closeAll(channels, cp, sites);
  }

  static ControlPlane controlPlane(TestCertificates.Issued server, Map<String, String> env) {
    // LINKS_ROUTING_PORTS ends with the ports section: the api port joins it.
    String yaml = ItMesh.sitesYaml(sites, site -> "    startBudget: 10s\n") + ItMesh.LINKS_ROUTING_PORTS + """
          api:
            address: 127.0.0.1
            port: 0
            tls: { certFile: %s, keyFile: %s, clientCaFile: %s }
        """.formatted(server.certFile(), server.keyFile(), ca.certFile());
    ControlPlane started = ControlPlane.start(ConfigLoader.load(yaml, "PolicyApiTlsIT", Map.of()), env);
    await().atMost(Duration.ofSeconds(30)).until(started::ready);
    return started;
  }

  /** A stub on the API port: TLS trusting the CA, with {@code client}'s certificate (or none), and {@code token}. */
  static PolicyServiceGrpc.PolicyServiceBlockingStub api(ChannelCredentials credentials, int port, String token) {
    ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + port, credentials).build();
    channels.add(channel);
    PolicyServiceGrpc.PolicyServiceBlockingStub stub = PolicyServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(20, TimeUnit.SECONDS);
    return token == null ? stub : stub.withCallCredentials(bearer(token));
  }

  static ChannelCredentials tls(TestCertificates.Issued client) throws Exception {
    TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder().trustManager(ca.certFile().toFile());
    if (client != null) {
      b.keyManager(client.certFile().toFile(), client.keyFile().toFile());
    }
    return b.build();
  }

  static RoutingPolicy policy(String name) {
    return RoutingPolicy.newBuilder().setName(name).setSelector(Selector.newBuilder().addServices("web"))
        .setMode(RoutingMode.LOWEST_LATENCY).build();
  }

  static void refused(PolicyServiceGrpc.PolicyServiceBlockingStub stub, Status.Code code, String what) {
    assertThatThrownBy(() -> stub.apply(ApplyPolicyRequest.newBuilder().setPolicy(policy("tls-refused")).build()))
        .as(what).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          System.out.printf("%s: %s %s (%s)%n", what, e.getStatus().getCode(), e.getStatus().getDescription(),
              e.getStatus().getCause());
          assertThat(e.getStatus().getCode()).isEqualTo(code);
        });
  }

  @Test
  @Order(1)
  void withoutAValidClientCertificate_everyCallIsRefused_evenWithTheToken() throws Exception {
    refused(api(tls(null), cp.apiPort(), TOKEN), Status.Code.UNAVAILABLE, "TLS without a client certificate");
    refused(api(tls(rogue), cp.apiPort(), TOKEN), Status.Code.UNAVAILABLE, "a self-signed certificate");
    refused(api(tls(impostor), cp.apiPort(), TOKEN), Status.Code.UNAVAILABLE,
        "a certificate from another CA of the same name");
    refused(api(tls(expired), cp.apiPort(), TOKEN), Status.Code.UNAVAILABLE, "a certificate of the CA's, expired");
    refused(api(InsecureChannelCredentials.create(), cp.apiPort(), TOKEN), Status.Code.UNAVAILABLE, "plaintext");

    assertThat(sites.jakarta().kvGet("selat/policies/tls-refused")).as("nothing stored").isEmpty();
  }

  @Test
  @Order(2)
  void aSignedCertificate_withoutOrWithAWrongToken_isUnauthenticated() throws Exception {
    refused(api(tls(operator), cp.apiPort(), null), Status.Code.UNAUTHENTICATED, "a signed certificate, no token");
    refused(api(tls(operator), cp.apiPort(), "wrong-" + TOKEN), Status.Code.UNAUTHENTICATED,
        "a signed certificate, a wrong token");
    assertThat(sites.jakarta().kvGet("selat/policies/tls-refused")).as("nothing stored").isEmpty();
  }

  @Test
  @Order(3)
  void aSignedCertificateAndTheToken_areServed_andTheXdsPortNoLongerServesTheApi() throws Exception {
    assertThat(api(tls(operator), cp.apiPort(), TOKEN).apply(ApplyPolicyRequest.newBuilder()
        .setPolicy(policy("tls-ok")).build()).getWrittenSitesList()).containsExactly("jakarta", "alibaba-sg", "aws-sg");

    assertThat(cp.apiPort()).isNotEqualTo(cp.xdsPort());
    assertThatThrownBy(() -> api(InsecureChannelCredentials.create(), cp.xdsPort(), TOKEN)
        .list(ListPoliciesRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
  }

  @Test
  @Order(4)
  void selatctl_withTheCaItsCertificateAndTheToken_appliesAndGets_withoutTheCertificate_exits3() throws Exception {
    Path file = Files.writeString(dir.resolve("p.yaml"), "name: tls-cli\nselector: { services: [web] }\nmode: PINNED\n"
        + "pinnedSite: jakarta\n");
    String server = "127.0.0.1:" + cp.apiPort();
    Map<String, String> env = Map.of("SELAT_TOKEN", TOKEN);
    String[] tls = {"--server", server, "--tls-ca", ca.certFile().toString(), "--tls-cert",
        operator.certFile().toString(), "--tls-key", operator.keyFile().toString()};
    String[] out = new String[2];

    assertThat(selatctl(env, out, concat(tls, "apply", "-f", file.toString()))).as(out[1]).isZero();
    assertThat(out[0]).contains("policy/tls-cli applied: revision 1");
    assertThat(selatctl(env, out, concat(tls, "get", "tls-cli", "-o", "json"))).as(out[1]).isZero();
    assertThat(out[0]).contains("\"pinnedSite\": \"jakarta\"");

    assertThat(selatctl(env, out, "get", "--server", server, "--tls-ca", ca.certFile().toString())).isEqualTo(3);
    System.out.println("selatctl without a client certificate: " + out[1].strip());
    assertThat(out[1]).contains("UNAVAILABLE");
    assertThat(selatctl(env, out, "get", "--server", server, "--tls-cert", operator.certFile().toString()))
        .as("a certificate without its key is a usage error").isEqualTo(2);
    assertThat(out[1]).contains("--tls-cert and --tls-key go together");
  }

  @Test
  @Order(5)
  void mutualTlsWithoutAToken_theCertificateAloneIsServed_andStillNoneOrARogueOneIsRefused() throws Exception {
    cp.close();
    TestCertificates.Issued server = TestCertificates.leaf(dir, ca, "selat-api-2",
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    cp = controlPlane(server, Map.of());

    assertThat(api(tls(operator), cp.apiPort(), null).list(ListPoliciesRequest.getDefaultInstance()).getPoliciesList())
        .extracting(RoutingPolicy::getName).containsExactly("tls-cli", "tls-ok");
    refused(api(tls(null), cp.apiPort(), null), Status.Code.UNAVAILABLE, "no token configured, no certificate");
    refused(api(tls(impostor), cp.apiPort(), null), Status.Code.UNAVAILABLE,
        "no token configured, a certificate from another CA of the same name");
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(b, b.length + a.length);
    System.arraycopy(a, 0, all, b.length, a.length);
    return all;
  }
}
