package dev.selat.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteConfigTest {

  @Test
  void fromEnv_bareHostPort_isHttp() {
    SiteConfig c = SiteConfig.fromEnv(SiteConfig.builder("jakarta", "id-jkt"), Map.of("CONSUL_HTTP_ADDR", "127.0.0.1:8500"));
    assertThat(c.addresses()).containsExactly(URI.create("http://127.0.0.1:8500"));
    assertThat(c.token()).isEmpty();
  }

  @Test
  void fromEnv_httpsWithTls_readsEveryVariable() {
    SiteConfig c = SiteConfig.fromEnv(SiteConfig.builder("aws-sg", "ap-southeast-1"), Map.of(
        "CONSUL_HTTP_ADDR", "https://consul.aws:8501",
        "CONSUL_HTTP_TOKEN", "secret-token",
        "CONSUL_CACERT", "/etc/consul/ca.pem",
        "CONSUL_CLIENT_CERT", "/etc/consul/cli.pem",
        "CONSUL_CLIENT_KEY", "/etc/consul/cli-key.pem",
        "CONSUL_TLS_SERVER_NAME", "server.dc1.consul"));
    assertThat(c.addresses()).containsExactly(URI.create("https://consul.aws:8501"));
    assertThat(c.resolveToken()).contains("secret-token");
    assertThat(c.tls().caFile()).contains(Path.of("/etc/consul/ca.pem"));
    assertThat(c.tls().clientCert()).contains(Path.of("/etc/consul/cli.pem"));
    assertThat(c.tls().clientKey()).contains(Path.of("/etc/consul/cli-key.pem"));
    assertThat(c.tls().serverName()).contains("server.dc1.consul");
  }

  @Test
  void fromEnv_bareAddressWithHttpSsl_isHttpsOnDefaultPort() {
    SiteConfig c = SiteConfig.fromEnv(SiteConfig.builder("jakarta", "r"),
        Map.of("CONSUL_HTTP_ADDR", "consul.local", "CONSUL_HTTP_SSL", "true"));
    assertThat(c.addresses()).containsExactly(URI.create("https://consul.local:8501"));
  }

  @Test
  void fromEnv_noAddress_namesTheVariable() {
    assertThatThrownBy(() -> SiteConfig.fromEnv(SiteConfig.builder("jakarta", "r"), Map.of()))
        .isInstanceOf(ConsulConfigException.class).hasMessageStartingWith("CONSUL_HTTP_ADDR:");
  }

  @Test
  void fromEnv_unixSocket_isRejectedNamingTheVariable() {
    assertThatThrownBy(() -> SiteConfig.fromEnv(SiteConfig.builder("jakarta", "r"),
        Map.of("CONSUL_HTTP_ADDR", "unix:///var/run/consul.sock")))
        .isInstanceOf(ConsulConfigException.class).hasMessageStartingWith("CONSUL_HTTP_ADDR:");
  }

  @Test
  void resolveToken_tokenFile_isReadAndTrimmed(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "  from-file\n");
    SiteConfig c = SiteConfig.fromEnv(SiteConfig.builder("jakarta", "r"),
        Map.of("CONSUL_HTTP_ADDR", "127.0.0.1:8500", "CONSUL_HTTP_TOKEN_FILE", file.toString()));
    assertThat(c.resolveToken()).contains("from-file");
  }

  @Test
  void resolveToken_tokenAndFile_fileWinsAsInConsul(@TempDir Path dir) throws Exception {
    // hashicorp/consul api.NewClient: CONSUL_HTTP_TOKEN_FILE before CONSUL_HTTP_TOKEN, -token-file before -token.
    Path file = dir.resolve("token");
    Files.writeString(file, "from-file");
    SiteConfig c = SiteConfig.fromEnv(base(), Map.of("CONSUL_HTTP_ADDR", "127.0.0.1:8500",
        "CONSUL_HTTP_TOKEN", "direct", "CONSUL_HTTP_TOKEN_FILE", file.toString()));
    assertThat(c.resolveToken()).contains("from-file");
  }

  @Test
  void resolveToken_tokenAndEmptyFile_usesToken(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "\n");
    SiteConfig c = base().token("direct").tokenFile(file).build();
    assertThat(c.resolveToken()).contains("direct");
  }

  @Test
  void resolveToken_missingFile_namesTheField(@TempDir Path dir) {
    SiteConfig c = base().tokenFile(dir.resolve("absent")).build();
    assertThatThrownBy(c::resolveToken).isInstanceOf(ConsulConfigException.class)
        .hasMessageStartingWith("sites.jakarta.tokenFile:");
  }

  @Test
  void resolveToken_configTokenAndEnvToken_configWinsByTheSharedRule() {
    SiteConfig c = SiteConfig.fromEnv(base().token("configured"),
        Map.of("CONSUL_HTTP_ADDR", "127.0.0.1:8500", "CONSUL_HTTP_TOKEN", "from-env"));
    assertThat(c.resolveToken()).contains("configured");
  }

  @Test
  void resolveToken_configFileAndEnvFile_configFileWins(@TempDir Path dir) throws Exception {
    Path configured = Files.writeString(dir.resolve("configured"), "from-config-file");
    Path env = Files.writeString(dir.resolve("env"), "from-env-file");
    SiteConfig c = SiteConfig.fromEnv(base().tokenFile(configured),
        Map.of("CONSUL_HTTP_ADDR", "127.0.0.1:8500", "CONSUL_HTTP_TOKEN_FILE", env.toString()));
    assertThat(c.resolveToken()).contains("from-config-file");
    assertThat(c.tokenFileInUse()).contains(configured);
  }

  @Test
  void resolveToken_envFileMissing_namesTheVariableAndFile(@TempDir Path dir) {
    Path absent = dir.resolve("absent");
    SiteConfig c = SiteConfig.fromEnv(base(), Map.of("CONSUL_HTTP_ADDR", "127.0.0.1:8500",
        "CONSUL_HTTP_TOKEN", "s3cr3t-token", "CONSUL_HTTP_TOKEN_FILE", absent.toString()));
    assertThatThrownBy(c::resolveToken).isInstanceOf(ConsulConfigException.class)
        .hasMessage("CONSUL_HTTP_TOKEN_FILE: token file " + absent + " cannot be read (NoSuchFileException)");
    assertThat(c.tokenFileInUse()).contains(absent);
  }

  @Test
  void toString_withToken_neverShowsIt() {
    assertThat(base().token("s3cr3t-token").build().toString()).doesNotContain("s3cr3t-token").contains("<redacted>");
    assertThat(SiteConfig.fromEnv(base(), Map.of("CONSUL_HTTP_ADDR", "127.0.0.1:8500", "CONSUL_HTTP_TOKEN", "s3cr3t-token"))
        .toString()).doesNotContain("s3cr3t-token").contains("tokenEnv=[CONSUL_HTTP_TOKEN]");
  }

  @Test
  void build_invalidFields_eachNamed() {
    assertThatThrownBy(() -> SiteConfig.builder("Jakarta!", "r").address("127.0.0.1:1").build())
        .hasMessageStartingWith("siteId:");
    assertThatThrownBy(() -> SiteConfig.builder("jakarta", " ").address("127.0.0.1:1").build())
        .hasMessageStartingWith("sites.jakarta.region:");
    assertThatThrownBy(() -> SiteConfig.builder("jakarta", "r").build())
        .hasMessageStartingWith("sites.jakarta.addresses:");
    assertThatThrownBy(() -> base().blockingWait(Duration.ofMinutes(11)).build())
        .hasMessageStartingWith("sites.jakarta.blockingWait:");
    assertThatThrownBy(() -> base().staleness(Duration.ZERO, StalenessMode.DROP).build())
        .hasMessageStartingWith("sites.jakarta.stalenessBudget:");
    assertThatThrownBy(() -> base().maxConnections(2).build())
        .hasMessageStartingWith("sites.jakarta.maxConnections:");
    assertThatThrownBy(() -> base().backoff(Duration.ofSeconds(5), Duration.ofSeconds(1)).build())
        .hasMessageStartingWith("sites.jakarta.backoffCap:");
    assertThatThrownBy(() -> base().addresses(List.of(URI.create("ftp://h:1"))).build())
        .hasMessageStartingWith("sites.jakarta.addresses[0]:");
    assertThatThrownBy(() -> new WatchRateLimit(0, Duration.ofSeconds(1))).hasMessageStartingWith("rateLimit.burst:");
    assertThatThrownBy(() -> new TlsSettings(java.util.Optional.empty(), java.util.Optional.of(Path.of("c")),
        java.util.Optional.empty(), java.util.Optional.empty())).hasMessageStartingWith("tls.clientKey:");
  }

  @Test
  void build_tlsWithPlainHttpAddress_isRejected() {
    TlsSettings tls = new TlsSettings(java.util.Optional.of(Path.of("/ca.pem")), java.util.Optional.empty(),
        java.util.Optional.empty(), java.util.Optional.empty());
    assertThatThrownBy(() -> base().tls(tls).build()).hasMessageStartingWith("sites.jakarta.tls:");
  }

  private static SiteConfig.Builder base() {
    return SiteConfig.builder("jakarta", "id-jkt").address("127.0.0.1:8500");
  }
}
