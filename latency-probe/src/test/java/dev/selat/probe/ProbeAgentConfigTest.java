package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProbeAgentConfigTest {
  @TempDir
  Path dir;

  @Test
  void fromYaml_fullConfig_buildsValidatedConfig() throws IOException {
    Path file = write("""
        site: jakarta
        agentId: jakarta-probe-1
        bindAddress: 127.0.0.1
        intervalMillis: 250
        peers:
          - {site: alibaba-sg, address: 127.0.0.1, port: 19300}
        paths:
          alibaba-sg: leased-line
          aws-sg: leased-line+vpn
        consul:
          address: http://127.0.0.1:8500
          register: true
          discover: [http://127.0.0.1:8500, 127.0.0.1:8501]
        """);

    ProbeAgentConfig config = ProbeAgentConfig.Draft.fromYaml(file).build();

    assertThat(config.siteId()).isEqualTo("jakarta");
    assertThat(config.interval()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.peers()).containsExactly(new ProbeAgentConfig.StaticPeer("alibaba-sg", "127.0.0.1", 19300));
    assertThat(config.pathTo("aws-sg")).isEqualTo("leased-line+vpn");
    assertThat(config.pathTo("alibaba-jkt")).isEqualTo("direct");
    assertThat(config.register()).isTrue();
    assertThat(config.discover()).containsExactly(URI.create("http://127.0.0.1:8500"),
        URI.create("http://127.0.0.1:8501"));
    assertThat(config.probePort()).isEqualTo(18300);
    assertThat(config.grpcPort()).isEqualTo(18301);
  }

  @Test
  void fromYaml_misspelledKey_namesTheKey() throws IOException {
    Path file = write("site: jakarta\nintervalMilis: 100\n");

    assertThatThrownBy(() -> ProbeAgentConfig.Draft.fromYaml(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("intervalMilis");
  }

  @Test
  void build_missingSite_namesTheField() {
    assertThatThrownBy(() -> new ProbeAgentConfig.Draft().build()).hasMessageStartingWith("site: required");
  }

  @Test
  void build_peerWithoutAddress_namesTheField() throws IOException {
    Path file = write("site: jakarta\npeers:\n  - {site: aws-sg}\n");

    assertThatThrownBy(() -> ProbeAgentConfig.Draft.fromYaml(file).build())
        .hasMessageStartingWith("peers[0].address: required");
  }

  @Test
  void build_registerWithoutConsul_namesTheField() {
    ProbeAgentConfig.Draft draft = new ProbeAgentConfig.Draft();
    draft.site = "jakarta";
    draft.consul.register = true;

    assertThatThrownBy(draft::build).hasMessageStartingWith("consul.address: required");
  }

  @Test
  void build_portOutOfRange_namesTheField() {
    ProbeAgentConfig.Draft draft = new ProbeAgentConfig.Draft();
    draft.site = "jakarta";
    draft.grpcPort = 70_000;

    assertThatThrownBy(draft::build).hasMessageStartingWith("grpcPort: must be a port number");
  }

  @Test
  void flags_overrideYaml() throws IOException {
    Path file = write("site: jakarta\nintervalMillis: 250\npaths: {aws-sg: vpn}\n");
    ProbeAgentMain main = new ProbeAgentMain();
    new CommandLine(main).parseArgs("--config", file.toString(), "--site", "aws-sg", "--interval-ms", "100",
        "--peer", "jakarta=127.0.0.1:19300", "--path", "jakarta=leased-line+vpn");

    ProbeAgentConfig config = main.draft().build();

    assertThat(config.siteId()).isEqualTo("aws-sg");
    assertThat(config.interval()).isEqualTo(Duration.ofMillis(100));
    assertThat(config.peers()).isEqualTo(List.of(new ProbeAgentConfig.StaticPeer("jakarta", "127.0.0.1", 19300)));
    assertThat(config.pathTo("jakarta")).isEqualTo("leased-line+vpn");
    assertThat(config.pathTo("aws-sg")).isEqualTo("vpn");
  }

  @Test
  void flags_malformedPeer_namesTheFlag() {
    ProbeAgentMain main = new ProbeAgentMain();
    new CommandLine(main).parseArgs("--site", "jakarta", "--peer", "aws-sg");

    assertThatThrownBy(main::draft).hasMessageStartingWith("--peer: expected site=host:port");
  }

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("probe.yaml"), yaml);
  }
}
