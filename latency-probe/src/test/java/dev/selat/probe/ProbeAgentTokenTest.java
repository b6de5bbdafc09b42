package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's Consul token follows the rule every Selat module shares (dev.selat.common.ConsulTokens). */
class ProbeAgentTokenTest {
  @TempDir
  Path dir;

  private ProbeAgentConfig withTokenFile(Path file) {
    ProbeAgentConfig.Draft draft = AgentConfigs.loopback("jakarta");
    draft.consul.tokenFile = file == null ? null : file.toString();
    return draft.build();
  }

  @Test
  void consulToken_configuredFileAndEnvToken_fileWins() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "from-file\n");

    assertThat(ProbeAgent.consulToken(withTokenFile(file), Map.of("CONSUL_HTTP_TOKEN", "from-env")))
        .contains("from-file");
  }

  @Test
  void consulToken_envFileAndEnvToken_fileWinsAsInConsul() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "from-env-file");

    assertThat(ProbeAgent.consulToken(withTokenFile(null),
        Map.of("CONSUL_HTTP_TOKEN_FILE", file.toString(), "CONSUL_HTTP_TOKEN", "from-env"))).contains("from-env-file");
  }

  @Test
  void consulToken_envTokenOnly_isUsed() {
    assertThat(ProbeAgent.consulToken(withTokenFile(null), Map.of("CONSUL_HTTP_TOKEN", "from-env"))).contains("from-env");
  }

  @Test
  void consulToken_configuredFileMissing_namesTheFieldAndFileNotTheToken() {
    Path absent = dir.resolve("absent");

    assertThatThrownBy(() -> ProbeAgent.consulToken(withTokenFile(absent), Map.of("CONSUL_HTTP_TOKEN", "s3cr3t")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("consul.tokenFile: token file " + absent + " cannot be read (NoSuchFileException)")
        .message().doesNotContain("s3cr3t");
  }
}
