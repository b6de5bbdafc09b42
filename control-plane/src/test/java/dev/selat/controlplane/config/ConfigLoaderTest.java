package dev.selat.controlplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.selat.consul.ConsistencyMode;
import dev.selat.consul.StalenessMode;
import dev.selat.consul.WatchRateLimit;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final Path EXAMPLE = Path.of("selat.example.yaml");
  private static final String TWO_SITES = """
      sites:
        - { id: jakarta, region: id-jkt, consul: { addresses: ["10.0.0.1:8500", "10.0.0.2:8500"] } }
        - { id: alibaba-sg, region: ap-southeast-1, consul: { addresses: ["10.1.0.1:8500"] } }
      links:
        - { name: leased-line, sites: [jakarta, alibaba-sg], nominalRtt: 12ms }
      """;

  @Test
  void load_exampleThreeSites_allFieldsAndPaths() {
    SelatConfig c = ConfigLoader.load(EXAMPLE, Map.of());

    assertThat(c.siteIds()).containsExactly("jakarta", "alibaba-sg", "aws-sg");
    SiteSpec jakarta = c.site("jakarta").orElseThrow();
    assertThat(jakarta.region()).isEqualTo("id-jkt");
    assertThat(jakarta.startBudget()).isEqualTo(Duration.ofSeconds(30));
    assertThat(jakarta.consul().addresses()).containsExactly(URI.create("http://127.0.0.1:8500"));
    assertThat(jakarta.consul().stalenessBudget()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.site("alibaba-sg").orElseThrow().consul().stalenessMode()).isEqualTo(StalenessMode.DECAY);
    assertThat(c.site("aws-sg").orElseThrow().consul().stalenessMode()).isEqualTo(StalenessMode.DROP);
    assertThat(c.links()).containsExactly(
        new LinkSpec("leased-line", "jakarta", "alibaba-sg", Duration.ofMillis(12)),
        new LinkSpec("vpn", "alibaba-sg", "aws-sg", Duration.ofMillis(3)));
    assertThat(c.routing()).isEqualTo(RoutingSettings.DEFAULT);
    assertThat(c.latency()).isEqualTo(LatencySettings.DEFAULT);
    assertThat(c.ports()).isEqualTo(Ports.DEFAULT);

    assertThat(c.path("jakarta", "aws-sg")).isEqualTo(new SitePath(List.of("leased-line", "vpn"), Duration.ofMillis(15)));
    assertThat(c.path("aws-sg", "jakarta")).isEqualTo(new SitePath(List.of("vpn", "leased-line"), Duration.ofMillis(15)));
    assertThat(c.path("alibaba-sg", "aws-sg")).isEqualTo(new SitePath(List.of("vpn"), Duration.ofMillis(3)));
    assertThat(c.path("jakarta", "jakarta")).isEqualTo(new SitePath(List.of(), Duration.ZERO));
    assertThatThrownBy(() -> c.path("jakarta", "mars")).hasMessageContaining("unknown site \"mars\"");
  }

  @Test
  void load_fourthSite_isAConfigChangeOnly() throws Exception {
    SelatConfig c = ConfigLoader.load(resource("good/four-sites.yaml"), Map.of());

    assertThat(c.siteIds()).containsExactly("jakarta", "alibaba-sg", "aws-sg", "alibaba-jkt");
    assertThat(c.path("jakarta", "alibaba-jkt")).isEqualTo(new SitePath(List.of("metro"), Duration.ofMillis(2)));
    assertThat(c.path("jakarta", "alibaba-sg").links()).containsExactly("leased-line"); // 12ms beats metro+backbone 13ms
    assertThat(c.path("alibaba-jkt", "aws-sg")).isEqualTo(
        new SitePath(List.of("alibaba-backbone", "vpn"), Duration.ofMillis(14)));
    assertThat(c.path("jakarta", "aws-sg")).isEqualTo(new SitePath(List.of("leased-line", "vpn"), Duration.ofMillis(15)));
  }

  /** A gateway per link direction, one address overridden by the environment; a site without one stays flat. */
  @Test
  void load_gateway_addressPerClientSite() {
    SelatConfig c = ConfigLoader.load("""
        sites:
          - { id: jakarta, region: id-jkt, consul: { addresses: ["127.0.0.1:8500"] } }
          - id: alibaba-sg
            region: ap-southeast-1
            consul: { addresses: ["127.0.0.1:8501"] }
            gateway:
              address: "gw.alibaba-sg.internal:8443"
              from:
                - { site: jakarta, address: "10.20.0.5:8443" }
          - { id: aws-sg, region: ap-southeast-1, consul: { addresses: ["127.0.0.1:8502"] } }
        links:
          - { name: leased-line, sites: [jakarta, alibaba-sg], nominalRtt: 12ms }
          - { name: vpn, sites: [alibaba-sg, aws-sg], nominalRtt: 3ms }
        """, "t", Map.of("SELAT_SITES_ALIBABA_SG_GATEWAY_FROM_JAKARTA_ADDRESS", "[fd00::5]:9443"));

    GatewaySpec gateway = c.sites().get(1).gateway().orElseThrow();
    assertThat(gateway.addressFor("jakarta")).contains(new Endpoint("fd00::5", 9443));
    assertThat(gateway.addressFor("aws-sg")).contains(new Endpoint("gw.alibaba-sg.internal", 8443));
    assertThat(c.sites().get(0).gateway()).isEmpty();
  }

  @Test
  void load_minimalFile_defaultsEverywhere() {
    SelatConfig c = ConfigLoader.load(TWO_SITES, "t", Map.of());

    SiteSpec jakarta = c.sites().get(0);
    assertThat(jakarta.consul().addresses())
        .containsExactly(URI.create("http://10.0.0.1:8500"), URI.create("http://10.0.0.2:8500"));
    assertThat(jakarta.consul().stalenessMode()).isEqualTo(StalenessMode.FREEZE);
    assertThat(jakarta.consul().datacenter()).isEmpty();
    assertThat(c.routing()).isEqualTo(RoutingSettings.DEFAULT);
    assertThat(c.ports()).isEqualTo(Ports.DEFAULT);
  }

  @Test
  void siteGraph_equalRttPaths_lexicographicallySmallestLinkNamesWin() {
    List<LinkSpec> links = List.of(
        new LinkSpec("zulu", "a", "b", Duration.ofMillis(5)),
        new LinkSpec("alpha", "a", "b", Duration.ofMillis(5)),
        new LinkSpec("b-c", "b", "c", Duration.ofMillis(1)),
        new LinkSpec("a-c", "a", "c", Duration.ofMillis(6)));
    SiteGraph g = SiteGraph.of(List.of("a", "b", "c"), links);

    assertThat(g.path("a", "b")).isEqualTo(new SitePath(List.of("alpha"), Duration.ofMillis(5)));
    // a-c (6ms) ties with alpha+b-c (6ms): "a-c" < "alpha"
    assertThat(g.path("a", "c")).isEqualTo(new SitePath(List.of("a-c"), Duration.ofMillis(6)));
    assertThat(SiteGraph.of(List.of("a", "b", "c"), List.copyOf(links.reversed()))).isEqualTo(g);
  }

  @Test
  void load_everyProblemListed_notJustTheFirst() {
    String yaml = """
        sites:
          - { id: jakarta, region: id-jkt, consul: { addresses: ["localhost"] } }
          - { id: alibaba-sg, consul: { addresses: ["10.1.0.1:8500"] } }
        links:
          - { name: leased-line, sites: [jakarta, aws], nominalRtt: 12 }
        routing: { tolerence: 2ms, overprovisioningFactor: 50 }
        ports: { admin: { port: -1 } }
        """;
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(yaml, "t", Map.of()));

    assertThat(e.problems()).extracting(ConfigException.Problem::field).containsExactlyInAnyOrder(
        "sites[0].consul.addresses[0]", "sites[1].region", "links[0].sites[1]", "links[0].nominalRtt",
        "routing.tolerence", "routing.overprovisioningFactor", "ports.admin.port");
    assertThat(e.getMessage()).contains("sites[0].consul.addresses[0]: not host:port (\"localhost\")")
        .contains("links[0].sites[1]: unknown site \"aws\"").contains("routing.tolerence: unknown key");
  }

  @Test
  void envOverrides_scalarsByPath_sitesAndLinksById() {
    SelatConfig c = ConfigLoader.load(EXAMPLE, Map.of(
        "SELAT_ROUTING_TOLERANCE", "3ms",
        "SELAT_ROUTING_HYSTERESIS_DWELL", "10s",
        "SELAT_ROUTING_OVERPROVISIONING_FACTOR", "200",
        "SELAT_PORTS_XDS_PORT", "18001",
        "SELAT_LATENCY_PROBE_SERVICE", "probe",
        "SELAT_SITES_ALIBABA_SG_START_BUDGET", "1m",
        "SELAT_SITES_AWS_SG_STALENESS_MODE", "freeze",
        "SELAT_SITES_JAKARTA_CONSUL_ADDRESSES", "10.0.0.1:8500, 10.0.0.2:8500",
        "SELAT_SITES_JAKARTA_CONSUL_CONSISTENCY", "stale",
        "SELAT_LINKS_LEASED_LINE_NOMINAL_RTT", "20ms"));

    assertThat(c.routing().tolerance()).isEqualTo(Duration.ofMillis(3));
    assertThat(c.routing().hysteresisDwell()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.routing().hysteresisSettle()).as("4 x the dwell when not set").isEqualTo(Duration.ofSeconds(40));
    assertThat(c.routing().overprovisioningFactor()).isEqualTo(200);
    assertThat(c.ports().xds()).isEqualTo(new Endpoint("0.0.0.0", 18001));
    assertThat(c.latency().probeService()).isEqualTo("probe");
    assertThat(c.site("alibaba-sg").orElseThrow().startBudget()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.site("aws-sg").orElseThrow().consul().stalenessMode()).isEqualTo(StalenessMode.FREEZE);
    assertThat(c.site("jakarta").orElseThrow().consul().addresses())
        .containsExactly(URI.create("http://10.0.0.1:8500"), URI.create("http://10.0.0.2:8500"));
    assertThat(c.site("jakarta").orElseThrow().consul().consistency()).isEqualTo(ConsistencyMode.STALE);
    assertThat(c.path("jakarta", "aws-sg").nominalRtt()).isEqualTo(Duration.ofMillis(23));
  }

  @Test
  void envOverrides_sectionMissingFromFile_isCreated() {
    SelatConfig c = ConfigLoader.load(TWO_SITES, "t", Map.of("SELAT_PORTS_ADMIN_ADDRESS", "127.0.0.1"));

    assertThat(c.ports().admin()).isEqualTo(new Endpoint("127.0.0.1", 18080));
  }

  @Test
  void maxStale_fromFileOrVariable_reachesTheBridge() {
    SelatConfig c = ConfigLoader.load(TWO_SITES.replace("consul: { addresses: [\"10.1.0.1:8500\"] }",
        "consul: { addresses: [\"10.1.0.1:8500\"], maxStale: 3s }"), "t", Map.of("SELAT_SITES_JAKARTA_CONSUL_MAX_STALE", "5s"));

    assertThat(c.site("jakarta").orElseThrow().consul().maxStale()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.site("alibaba-sg").orElseThrow().consul().maxStale()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void maxStale_notPositive_refusedAtItsPath() {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.load(TWO_SITES, "t", Map.of("SELAT_SITES_JAKARTA_CONSUL_MAX_STALE", "0s")));

    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo("sites[0].consul.maxStale");
      assertThat(p.message()).contains("must be a positive duration");
    });
  }

  @Test
  void rateLimit_fromFile_reachesTheBridge_andAKeyLeftOutKeepsItsDefault() {
    SelatConfig c = ConfigLoader.load(TWO_SITES.replace("consul: { addresses: [\"10.1.0.1:8500\"] }",
        "consul: { addresses: [\"10.1.0.1:8500\"], rateLimit: { refill: 15s } }"), "t", Map.of());

    assertThat(c.site("alibaba-sg").orElseThrow().consul().rateLimit()).isEqualTo(
        new WatchRateLimit(WatchRateLimit.DEFAULT.burst(), Duration.ofSeconds(15)));
    assertThat(c.site("jakarta").orElseThrow().consul().rateLimit()).isEqualTo(WatchRateLimit.DEFAULT);
  }

  @Test
  void rateLimit_badBurst_refusedAtItsPath() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(TWO_SITES.replace(
        "consul: { addresses: [\"10.1.0.1:8500\"] }", "consul: { addresses: [\"10.1.0.1:8500\"], rateLimit: { burst: 0 } }"),
        "t", Map.of()));

    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo("sites[1].consul.rateLimit.burst");
      assertThat(p.message()).contains("must be >= 1");
    });
  }

  @Test
  void envOverride_badValue_namesVariableAndField() {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.load(EXAMPLE, Map.of("SELAT_PORTS_XDS_PORT", "eighteen")));

    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo("ports.xds.port");
      assertThat(p.message()).contains("\"eighteen\"").contains("SELAT_PORTS_XDS_PORT");
    });
  }

  @Test
  void consulEnv_prefixedBySite_goesThroughBridgeFromEnv(@TempDir Path dir) throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
    Path tokenFile = Files.writeString(dir.resolve("token"), "file-token");
    SelatConfig c = ConfigLoader.load(EXAMPLE, Map.of(
        "SELAT_SITE_ALIBABA_SG_CONSUL_HTTP_ADDR", "https://consul.alibaba:8501",
        "SELAT_SITE_ALIBABA_SG_CONSUL_CACERT", ca.toString(),
        "SELAT_SITE_ALIBABA_SG_CONSUL_TLS_SERVER_NAME", "server.alibaba-sg.consul",
        "SELAT_SITE_JAKARTA_CONSUL_HTTP_TOKEN_FILE", tokenFile.toString(),
        "CONSUL_HTTP_ADDR", "10.9.9.9:8500")); // three sites: the unprefixed form is ignored

    var alibaba = c.site("alibaba-sg").orElseThrow().consul();
    assertThat(alibaba.addresses()).containsExactly(URI.create("https://consul.alibaba:8501"));
    assertThat(alibaba.tls().caFile()).contains(ca);
    assertThat(alibaba.tls().serverName()).contains("server.alibaba-sg.consul");
    assertThat(alibaba.stalenessMode()).isEqualTo(StalenessMode.DECAY); // the file's other settings stay
    var jakarta = c.site("jakarta").orElseThrow().consul();
    assertThat(jakarta.addresses()).containsExactly(URI.create("http://127.0.0.1:8500"));
    assertThat(jakarta.resolveToken()).contains("file-token");
    assertThat(c.site("aws-sg").orElseThrow().consul().addresses()).containsExactly(URI.create("http://127.0.0.1:8502"));
  }

  @Test
  void consulEnv_tokenOnly_keepsEveryAddressOfTheFile() {
    SelatConfig c = ConfigLoader.load(TWO_SITES, "t", Map.of("SELAT_SITE_JAKARTA_CONSUL_HTTP_TOKEN", "t0k3n"));

    var jakarta = c.sites().get(0).consul();
    assertThat(jakarta.addresses()).containsExactly(URI.create("http://10.0.0.1:8500"), URI.create("http://10.0.0.2:8500"));
    assertThat(jakarta.resolveToken()).contains("t0k3n");
  }

  @Test
  void consulEnv_unprefixed_appliesWhenThereIsOneSite() {
    String one = """
        sites:
          - { id: jakarta, region: id-jkt, consul: { addresses: ["10.0.0.1:8500"] } }
        """;
    SelatConfig c = ConfigLoader.load(one, "t", Map.of("CONSUL_HTTP_ADDR", "10.0.0.7:8501", "CONSUL_HTTP_SSL", "true",
        "CONSUL_HTTP_TOKEN", "ambient", "SELAT_SITE_JAKARTA_CONSUL_HTTP_TOKEN", "prefixed"));

    assertThat(c.sites().get(0).consul().addresses()).containsExactly(URI.create("https://10.0.0.7:8501"));
    assertThat(c.sites().get(0).consul().resolveToken()).contains("prefixed");
    assertThat(c.links()).isEmpty();
    assertThat(c.path("jakarta", "jakarta")).isEqualTo(SitePath.LOCAL);
  }

  @Test
  void consulEnv_unknownSitePrefix_refused() {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.load(TWO_SITES, "t", Map.of("SELAT_SITE_AWS_SG_CONSUL_HTTP_ADDR", "10.0.0.1:8500")));

    assertThat(e.problems()).extracting(ConfigException.Problem::field).containsExactly("SELAT_SITE_AWS_SG_CONSUL_HTTP_ADDR");
  }

  @Test
  void token_neverInToStringNorInErrors() {
    String secret = "d7e1a0c3-5f4b-4d2e-9c1a-00deadbeef00";
    String yaml = TWO_SITES.replace("addresses: [\"10.1.0.1:8500\"]", "addresses: [\"10.1.0.1:8500\"], token: \"" + secret + "\"");
    SelatConfig c = ConfigLoader.load(yaml, "t", Map.of());
    assertThat(c.sites().get(1).consul().resolveToken()).contains(secret);
    assertThat(c.toString()).doesNotContain(secret);
    assertThat(c.sites().get(1).toString()).doesNotContain(secret);

    // An error in the token's own field, in the env form, and a syntax error on the token's line: never the value.
    List<ConfigException> errors = List.of(
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(
            yaml.replace("token: \"" + secret + "\"", "token: [\"" + secret + "\"]"), "t", Map.of())),
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(yaml.replace("nominalRtt: 12ms", "nominalRtt: x"),
            "t", Map.of("SELAT_SITE_JAKARTA_CONSUL_HTTP_TOKEN", secret, "SELAT_SITES_JAKARTA_CONSUL_TOKEN", secret))),
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(
            yaml.replace("token: \"" + secret + "\"", "token: \"" + secret + "\": x"), "t", Map.of())),
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(
            yaml.replace("token: \"" + secret + "\"", "token: \"" + secret), "t", Map.of())));
    assertThat(errors).allSatisfy(e -> {
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).doesNotContain(secret).doesNotContain(secret.substring(0, 8));
    });
  }

  @Test
  void load_unreadableTokenFile_refusedAtLoad() {
    String yaml = TWO_SITES.replace("addresses: [\"10.1.0.1:8500\"]", "addresses: [\"10.1.0.1:8500\"], tokenFile: /nonexistent/t");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(yaml, "t", Map.of()));

    assertThat(e.problems()).extracting(ConfigException.Problem::field).containsExactly("sites[1].consul.tokenFile");
  }

  @Test
  void apiPort_withMutualTls_readsItsPemFiles_andAVariableSetsTheClientCa(@TempDir Path dir) throws Exception {
    Path cert = Files.writeString(dir.resolve("api.crt"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    Path key = Files.writeString(dir.resolve("api.key"), "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n");
    String yaml = TWO_SITES + "ports:\n  api: { port: 18443, tls: { certFile: " + cert + ", keyFile: " + key + " } }\n";

    Ports tlsOnly = ConfigLoader.load(yaml, "t", Map.of()).ports();
    Ports mutual = ConfigLoader.load(yaml, "t", Map.of("SELAT_PORTS_API_TLS_CLIENT_CA_FILE", cert.toString())).ports();

    assertThat(tlsOnly.api()).hasValueSatisfying(a -> {
      assertThat(a.endpoint()).isEqualTo(new Endpoint("0.0.0.0", 18443));
      assertThat(a.tls()).contains(new ApiPort.Tls(cert, key, java.util.Optional.empty()));
      assertThat(a.mutualTls()).isFalse();
    });
    assertThat(mutual.api()).hasValueSatisfying(a -> assertThat(a.mutualTls()).isTrue());
    assertThat(ConfigLoader.load(TWO_SITES, "t", Map.of()).ports().api()).as("none: the xDS port serves it").isEmpty();
  }

  @Test
  void apiPort_badTls_eachProblemNamesItsField(@TempDir Path dir) throws Exception {
    Path cert = Files.writeString(dir.resolve("api.crt"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    Path key = Files.writeString(dir.resolve("api.key"), "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n");
    Path ecKey = Files.writeString(dir.resolve("ec.key"), "-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n");
    Map<String, String> cases = Map.of(
        "api: { tls: { certFile: " + cert + " } }", "ports.api.tls.keyFile: required with tls",
        "api: { tls: { certFile: " + cert + ", keyFile: " + ecKey + " } }",
        "ports.api.tls.keyFile: no \"BEGIN PRIVATE KEY\" PEM block in " + ecKey + " (an unencrypted PKCS#8 key",
        "api: { tls: { certFile: " + ecKey + ", keyFile: " + key + " } }", "ports.api.tls.certFile: no \"BEGIN CERTIFICATE\"",
        "api: { tls: { certFile: " + cert + ", keyFile: " + dir.resolve("none.key") + " } }",
        "ports.api.tls.keyFile: cannot read " + dir.resolve("none.key"),
        "api: { tls: { certFile: " + cert + ", keyFile: " + key + ", caFile: " + cert + " } }",
        "ports.api.tls.caFile: unknown key (known: certFile, keyFile, clientCaFile)",
        "api: { port: 18000 }", "ports.api.port: same port as ports.xds (18000)",
        "{ admin: { port: 9000 }, api: { address: 127.0.0.1, port: 9000 } }", "ports.api.port: same port as ports.admin (9000)");
    cases.forEach((ports, problem) -> {
      String yaml = TWO_SITES + "ports: " + (ports.startsWith("{") ? ports : "{ " + ports + " }") + "\n";
      ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(yaml, "t", Map.of()));

      assertThat(e).as(ports).isNotNull();
      assertThat(e.problems()).as(ports).singleElement().satisfies(p -> assertThat(p.field() + ": " + p.message())
          .startsWith(problem));
    });
  }

  private static Path resource(String name) throws Exception {
    return Path.of(ConfigLoaderTest.class.getResource("/config/" + name).toURI());
  }
}
