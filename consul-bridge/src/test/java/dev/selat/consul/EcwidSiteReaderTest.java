package dev.selat.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP edge of the reader against a scripted HTTP server, to see exactly what goes on the wire (request line,
 * headers) and how TLS is negotiated. The Consul semantics are covered by the ITs against Consul sites.
 */
class EcwidSiteReaderTest {
  private static final String TOKEN = "3f1c6a1e-token-never-in-urls";
  private final List<String> requestLines = new CopyOnWriteArrayList<>();
  private final List<String> tokenHeaders = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private volatile boolean aclFiltered;

  private void serve(HttpServer s, int status, String body) {
    server = s;
    s.createContext("/", exchange -> answer(exchange, status, body));
    s.start();
  }

  private void answer(HttpExchange exchange, int status, String body) throws IOException {
    requestLines.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
    Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Consul-Token")).ifPresent(tokenHeaders::add);
    exchange.getResponseHeaders().add("X-Consul-Index", "42");
    exchange.getResponseHeaders().add("X-Consul-KnownLeader", "false");
    exchange.getResponseHeaders().add("X-Consul-LastContact", "1500");
    if (aclFiltered) {
      exchange.getResponseHeaders().add("X-Consul-Results-Filtered-By-ACLs", "true");
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private SiteConfig.Builder site(String scheme) {
    return SiteConfig.builder("jakarta", "id-jkt")
        .addresses(List.of(java.net.URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort())))
        .consistency(ConsistencyMode.STALE).datacenter("jakarta");
  }

  @Test
  void services_withToken_sendsHeaderNotUrlAndRecordsStaleHeaders() throws Exception {
    serve(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), 200, "{\"web\":[\"v1\"]}");
    try (EcwidSiteReader reader = new EcwidSiteReader(site("http").token(TOKEN).build())) {
      QueryResult<?> r = reader.services(7, Duration.ofSeconds(5));

      assertThat(r.value()).isEqualTo(java.util.Map.of("web", List.of("v1")));
      assertThat(r.index()).isEqualTo(42);
      assertThat(r.knownLeader()).isFalse();
      assertThat(r.lastContact()).isEqualTo(Duration.ofMillis(1500));
    }
    assertThat(tokenHeaders).containsExactly(TOKEN);
    assertThat(requestLines).hasSize(1);
    assertThat(requestLines.get(0)).startsWith("GET /v1/catalog/services?").contains("index=7").contains("wait=5000ms")
        .contains("stale").contains("dc=jakarta").doesNotContain(TOKEN).doesNotContain("token");
  }

  @Test
  void services_firstRead_sendsNoIndex() throws Exception {
    serve(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), 200, "{}");
    try (EcwidSiteReader reader = new EcwidSiteReader(site("http").build())) {
      reader.services(0, Duration.ofSeconds(5));
    }
    assertThat(requestLines.get(0)).doesNotContain("index=").doesNotContain("wait=");
    assertThat(tokenHeaders).isEmpty();
  }

  @Test
  void serviceHealth_aclDenied_clearErrorNamingSiteWithoutToken() throws Exception {
    serve(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), 403, "Permission denied");
    try (EcwidSiteReader reader = new EcwidSiteReader(site("http").token(TOKEN).build())) {
      assertThatThrownBy(() -> reader.serviceHealth("web"))
          .isInstanceOfSatisfying(ConsulQueryException.class, e -> assertThat(e.isDenied()).isTrue())
          .hasMessageStartingWith("site jakarta: GET /v1/health/service/web failed: HTTP 403 Permission denied")
          .message().doesNotContain(TOKEN);
    }
  }

  @Test
  void serviceHealth_malformedTaggedAddress_instanceKeptWithoutIt() throws Exception {
    serve(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), 200, """
        [{"Node":{"Node":"n1","Address":"10.0.0.1","TaggedAddresses":{"wan":"198.51.100.1"}},
          "Service":{"ID":"web-1","Service":"web","Port":8080,
                     "TaggedAddresses":{"wan":{"Address":"203.0.113.5","Port":"eighty"}}},"Checks":[]}]""");
    try (EcwidSiteReader reader = new EcwidSiteReader(site("http").build())) {
      List<ServiceInstance> out = reader.serviceHealth("web").value();

      assertThat(out).extracting(ServiceInstance::id).containsExactly("web-1");
      assertThat(out.get(0).taggedAddresses()).isEmpty();
      assertThat(out.get(0).wanAddress()).contains(new TaggedAddress("198.51.100.1", 8080));
    }
  }

  @Test
  void serviceHealth_portOutOfRange_isABadAnswerNotBadConfig() throws Exception {
    serve(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), 200, """
        [{"Node":{"Node":"n1","Address":"10.0.0.1"},
          "Service":{"ID":"web-1","Service":"web","Port":70000},"Checks":[]}]""");
    try (EcwidSiteReader reader = new EcwidSiteReader(site("http").build())) {
      assertThatThrownBy(() -> reader.serviceHealth("web"))
          .isInstanceOf(ConsulQueryException.class)
          .hasMessageStartingWith("site jakarta: GET /v1/health/service/web failed: HTTP 200 malformed answer: "
              + "instance web-1.port: must be within 0..65535")
          .cause().isInstanceOf(ConsulAnswerException.class).isNotInstanceOf(ConsulConfigException.class);
    }
  }

  @Test
  void services_everythingFilteredByAcls_isDenialNamingSite() throws Exception {
    serve(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), 200, "{}");
    aclFiltered = true;
    try (EcwidSiteReader reader = new EcwidSiteReader(site("http").build())) {
      assertThatThrownBy(() -> reader.services(0, Duration.ofSeconds(1)))
          .isInstanceOfSatisfying(ConsulQueryException.class, e -> assertThat(e.isDenied()).isTrue())
          .hasMessageStartingWith("site jakarta: GET /v1/catalog/services failed: HTTP 403 every result hidden by ACLs");
    }
  }

  @Test
  void serviceHealth_everyInstanceFilteredByAcls_isDenialNotAnEmptyService() throws Exception {
    serve(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), 200, "[]");
    aclFiltered = true;
    try (EcwidSiteReader reader = new EcwidSiteReader(site("http").build())) {
      assertThatThrownBy(() -> reader.serviceHealth("web"))
          .isInstanceOfSatisfying(ConsulQueryException.class, e -> assertThat(e.isDenied()).isTrue())
          .hasMessageStartingWith("site jakarta: GET /v1/health/service/web failed: HTTP 403 every result hidden by ACLs");
    }
  }

  @Test
  void services_partlyFilteredByAcls_isAnAnswer() throws Exception {
    serve(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), 200, "{\"web\":[]}");
    aclFiltered = true;
    try (EcwidSiteReader reader = new EcwidSiteReader(site("http").build())) {
      assertThat(reader.services(0, Duration.ofSeconds(1)).value()).containsOnlyKeys("web");
    }
  }

  @Test
  void kv_missingPrefix_isEmptyNotAnError() throws Exception {
    serve(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), 404, "");
    try (EcwidSiteReader reader = new EcwidSiteReader(site("http").build())) {
      assertThat(reader.kv("selat/policies/", 0, Duration.ofSeconds(1)).value()).isEmpty();
    }
    assertThat(requestLines.get(0)).startsWith("GET /v1/kv/selat/policies/?").contains("recurse");
  }

  @Test
  void kv_missingButAclsHideKeys_isDenialNotEmpty() throws Exception {
    serve(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), 404, "");
    aclFiltered = true;
    try (EcwidSiteReader reader = new EcwidSiteReader(site("http").build())) {
      assertThatThrownBy(() -> reader.kv("selat/policies/", 0, Duration.ofSeconds(1)))
          .isInstanceOfSatisfying(ConsulQueryException.class, e -> assertThat(e.isDenied()).isTrue())
          .hasMessageContaining("every result hidden by ACLs");
    }
  }

  @Test
  void services_consulDown_errorNamesSiteAndEndpoint() throws Exception {
    serve(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), 200, "{}");
    SiteConfig config = site("http").build();
    server.stop(0);
    server = null;
    try (EcwidSiteReader reader = new EcwidSiteReader(config)) {
      assertThatThrownBy(() -> reader.services(0, Duration.ofSeconds(1)))
          .isInstanceOfSatisfying(ConsulQueryException.class, e -> assertThat(e.status()).isZero())
          .hasMessageStartingWith("site jakarta: GET /v1/catalog/services failed: no response");
    }
  }

  @Test
  void services_firstAddressDead_nextRequestUsesNextAddress() throws Exception {
    serve(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), 200, "{}");
    int dead = dev.selat.testkit.Ports.freeTcpPort();
    SiteConfig config = SiteConfig.builder("jakarta", "r").addresses(List.of(
        java.net.URI.create("http://127.0.0.1:" + dead), java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort())))
        .build();
    try (EcwidSiteReader reader = new EcwidSiteReader(config)) {
      assertThatThrownBy(() -> reader.services(0, Duration.ofSeconds(1))).hasMessageContaining("no response");
      assertThat(reader.services(0, Duration.ofSeconds(1)).index()).isEqualTo(42);
    }
  }

  @Test
  void services_firstAddressWithoutLeaderOrOverloaded_nextRequestUsesNextAddress() throws Exception {
    for (int status : new int[] {500, 503, 429}) {
      HttpServer failing = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      failing.createContext("/", exchange -> answer(exchange, status, "No cluster leader"));
      failing.start();
      serve(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), 200, "{}");
      SiteConfig config = SiteConfig.builder("jakarta", "r").addresses(List.of(
          java.net.URI.create("http://127.0.0.1:" + failing.getAddress().getPort()),
          java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort()))).build();
      try (EcwidSiteReader reader = new EcwidSiteReader(config)) {
        assertThatThrownBy(() -> reader.services(0, Duration.ofSeconds(1)))
            .isInstanceOfSatisfying(ConsulQueryException.class, e -> assertThat(e.status()).isEqualTo(status));
        assertThat(reader.services(0, Duration.ofSeconds(1)).index()).isEqualTo(42);
      } finally {
        failing.stop(0);
        server.stop(0);
      }
    }
  }

  @Test
  void services_aclDenied_staysOnTheSameAddress() throws Exception {
    serve(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), 403, "Permission denied");
    HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    List<String> otherRequests = new CopyOnWriteArrayList<>();
    other.createContext("/", exchange -> {
      otherRequests.add(exchange.getRequestURI().toString());
      answer(exchange, 200, "{}");
    });
    other.start();
    SiteConfig config = SiteConfig.builder("jakarta", "r").addresses(List.of(
        java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
        java.net.URI.create("http://127.0.0.1:" + other.getAddress().getPort()))).build();
    try (EcwidSiteReader reader = new EcwidSiteReader(config)) {
      assertThatThrownBy(() -> reader.services(0, Duration.ofSeconds(1))).hasMessageContaining("HTTP 403");
      assertThatThrownBy(() -> reader.services(0, Duration.ofSeconds(1))).hasMessageContaining("HTTP 403");
      assertThat(otherRequests).isEmpty();
    } finally {
      other.stop(0);
    }
  }

  @Test
  void services_mutualTlsWithServerName_connectsAndPresentsClientCert(@TempDir Path dir) throws Exception {
    TestPki pki = new TestPki();
    TestPki.Issued serverCert = pki.issue("server", "server.jakarta.consul");
    TestPki.Issued clientCert = pki.issue("selat", "selat.client");
    List<String> clientSubjects = new CopyOnWriteArrayList<>();
    HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    SSLContext serverCtx = serverContext(serverCert, pki.ca());
    https.setHttpsConfigurator(new HttpsConfigurator(serverCtx) {
      @Override
      public void configure(HttpsParameters params) {
        var p = serverCtx.getDefaultSSLParameters();
        p.setNeedClientAuth(true);
        params.setSSLParameters(p);
      }
    });
    server = https;
    https.createContext("/", exchange -> {
      var session = ((com.sun.net.httpserver.HttpsExchange) exchange).getSSLSession();
      clientSubjects.add(((java.security.cert.X509Certificate) session.getPeerCertificates()[0])
          .getSubjectX500Principal().getName());
      answer(exchange, 200, "{}");
    });
    https.start();
    TlsSettings tls = new TlsSettings(
        Optional.of(TestPki.writePem(dir.resolve("ca.pem"), pki.ca().cert())),
        Optional.of(TestPki.writePem(dir.resolve("client.pem"), clientCert.cert())),
        Optional.of(TestPki.writePem(dir.resolve("client-key.pem"), clientCert.key())),
        Optional.of("server.jakarta.consul"));
    assertThat(Files.readString(dir.resolve("client-key.pem"))).contains("BEGIN EC PRIVATE KEY");

    try (EcwidSiteReader reader = new EcwidSiteReader(site("https").tls(tls).build())) {
      assertThat(reader.services(0, Duration.ofSeconds(1)).index()).isEqualTo(42);
    }
    assertThat(clientSubjects).containsExactly("CN=selat");

    TlsSettings wrongName = new TlsSettings(tls.caFile(), tls.clientCert(), tls.clientKey(), Optional.of("other.consul"));
    try (EcwidSiteReader reader = new EcwidSiteReader(site("https").tls(wrongName).build())) {
      assertThatThrownBy(() -> reader.services(0, Duration.ofSeconds(1))).isInstanceOf(ConsulQueryException.class)
          .hasMessageContaining("no response");
    }
  }

  @Test
  void tls_unreadableKey_namesTheField(@TempDir Path dir) throws Exception {
    TestPki pki = new TestPki();
    Path ca = TestPki.writePem(dir.resolve("ca.pem"), pki.ca().cert());
    Path badKey = Files.writeString(dir.resolve("key.pem"), "not a key");
    TlsSettings tls = new TlsSettings(Optional.of(ca), Optional.of(ca), Optional.of(badKey), Optional.empty());
    SiteConfig config = SiteConfig.builder("jakarta", "r").addresses(List.of(java.net.URI.create("https://127.0.0.1:1")))
        .tls(tls).build();
    assertThatThrownBy(() -> new EcwidSiteReader(config)).isInstanceOf(ConsulConfigException.class)
        .hasMessageStartingWith("sites.jakarta.tls.clientKey:");
  }

  private static SSLContext serverContext(TestPki.Issued cert, TestPki.Issued ca) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("server", cert.key(), new char[0], new Certificate[] {cert.cert(), ca.cert()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.cert());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }
}
