package dev.selat.xds;

import static dev.selat.xds.InProcessXds.NODE;
import static dev.selat.xds.InProcessXds.names;
import static dev.selat.xds.InProcessXds.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.selat.testkit.TestCertificates;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server on mutual TLS: only clients with a certificate from the trusted CA get resources. */
class MtlsIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path dir;
  private TestCertificates.Issued ca;
  private XdsServer server;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    ca = TestCertificates.selfSigned(dir, "selat-test-ca");
    TestCertificates.Issued serverCert = TestCertificates.leaf(dir, ca, "selat-xds",
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost"));
    server = XdsServer.builder()
        .address(new InetSocketAddress("127.0.0.1", 0))
        .mtls(serverCert.certFile(), serverCert.keyFile(), ca.certFile())
        .nodeIdentityVerifier(NodeIdentityVerifier.nodeIdInCertificate())
        .meterRegistry(new SimpleMeterRegistry())
        .start();
    server.publish(InProcessXds.GROUP, ResourceSnapshot.builder().cluster(Resources.edsCluster("a")).build());
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.close();
  }

  @Test
  void mtlsServer_clientCertificateFromTrustedCa_receivesClusters() throws Exception {
    TestCertificates.Issued client = TestCertificates.leaf(dir, ca, NODE.getId(),
        new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://selat/" + NODE.getId()));

    var stream = openAds(TlsChannelCredentials.newBuilder()
        .keyManager(client.certFile().toFile(), client.keyFile().toFile())
        .trustManager(ca.certFile().toFile())
        .build());

    await().atMost(WAIT).until(() -> !stream.responses.isEmpty() || stream.error != null);
    assertThat(stream.error).isNull();
    assertThat(names(stream.last())).containsExactly("a");
  }

  @Test
  void mtlsServer_clientWithoutCertificate_refused() throws Exception {
    var stream = openAds(TlsChannelCredentials.newBuilder().trustManager(ca.certFile().toFile()).build());

    await().atMost(WAIT).until(() -> stream.error != null);
    assertThat(stream.error.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(stream.responses).isEmpty();
  }

  @Test
  void mtlsServer_clientCertificateFromUnknownCa_refused() throws Exception {
    TestCertificates.Issued rogue = TestCertificates.selfSigned(dir, NODE.getId());

    var stream = openAds(TlsChannelCredentials.newBuilder()
        .keyManager(rogue.certFile().toFile(), rogue.keyFile().toFile())
        .trustManager(ca.certFile().toFile())
        .build());

    await().atMost(WAIT).until(() -> stream.error != null);
    assertThat(stream.error.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(stream.responses).isEmpty();
  }

  @Test
  void nodeIdVerifier_validCertificateOfAnotherNode_permissionDenied() throws Exception {
    TestCertificates.Issued other = TestCertificates.leaf(dir, ca, "envoy-2",
        new GeneralName(GeneralName.dNSName, "envoy-2"));

    var stream = openAds(TlsChannelCredentials.newBuilder()
        .keyManager(other.certFile().toFile(), other.keyFile().toFile())
        .trustManager(ca.certFile().toFile())
        .build());

    await().atMost(WAIT).until(() -> stream.error != null);
    assertThat(stream.error.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(stream.responses).isEmpty();
  }

  @Test
  void tlsWithoutClientAuth_clientWithoutCertificate_receivesClusters() throws Exception {
    TestCertificates.Issued serverCert = TestCertificates.leaf(dir, ca, "selat-xds-tls",
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    try (XdsServer tlsOnly = XdsServer.builder()
        .address(new InetSocketAddress("127.0.0.1", 0))
        .tls(serverCert.certFile(), serverCert.keyFile())
        .meterRegistry(new SimpleMeterRegistry())
        .start()) {
      tlsOnly.publish(InProcessXds.GROUP, ResourceSnapshot.builder().cluster(Resources.edsCluster("a")).build());

      var stream = openAds(tlsOnly.port(), TlsChannelCredentials.newBuilder().trustManager(ca.certFile().toFile()).build());

      await().atMost(WAIT).until(() -> !stream.responses.isEmpty() || stream.error != null);
      assertThat(stream.error).isNull();
      assertThat(names(stream.last())).containsExactly("a");
    }
  }

  private RecordingStream<DiscoveryRequest, DiscoveryResponse> openAds(ChannelCredentials credentials) {
    return openAds(server.port(), credentials);
  }

  private RecordingStream<DiscoveryRequest, DiscoveryResponse> openAds(int port, ChannelCredentials credentials) {
    ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials).build();
    channels.add(channel);
    return RecordingStream.<DiscoveryRequest, DiscoveryResponse>open(
            AggregatedDiscoveryServiceGrpc.newStub(channel)::streamAggregatedResources)
        .send(request(TypeUrls.CLUSTER));
  }
}
