package dev.selat.emulator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selat.emulator.EmulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
  @TempDir Path dir;

  @Test
  void apply_testutilConfig_readsKeysAndListsUnusedOnes() throws Exception {
    Path f = dir.resolve("c.json");
    Files.writeString(f, """
        {"node_name":"node-1","node_id":"0b8e2c3c-0000-4000-8000-000000000001","node_meta":{"k":"v"},
         "performance":{"raft_multiplier":1},"bootstrap":true,"server":true,"data_dir":"/tmp/d","datacenter":"jakarta",
         "bind_addr":"127.0.0.1","ports":{"dns":1,"http":18500,"https":18501,"serf_lan":3},
         "acl":{"enabled":true,"default_policy":"deny","tokens":{"master":"root"}},
         "connect":{"enabled":false},"limits":{"http_max_conns_per_client":7}}
        """);
    EmulatorConfig.Builder b = EmulatorConfig.builder();
    AgentCommand.Acl acl = new AgentCommand.Acl();
    ConfigFile cf = new ConfigFile();
    cf.apply(f, b, acl, new AgentCommand.TlsFiles());
    EmulatorConfig c = b.build();
    assertThat(c.nodeName()).isEqualTo("node-1");
    assertThat(c.datacenter()).isEqualTo("jakarta");
    assertThat(c.httpPort()).isEqualTo(18500);
    assertThat(c.httpsPort()).isEqualTo(18501);
    assertThat(c.dataDir()).contains(Path.of("/tmp/d"));
    assertThat(c.nodeMeta()).containsEntry("k", "v");
    assertThat(c.connectEnabled()).isFalse();
    assertThat(c.httpMaxConnsPerClient()).isEqualTo(7);
    assertThat(acl.enabled).isTrue();
    assertThat(acl.defaultPolicy).isEqualTo("deny");
    assertThat(acl.initialManagement).isEqualTo("root");
    assertThat(cf.ignored()).contains("performance", "bootstrap", "ports.dns", "ports.serf_lan");
  }

  @Test
  void apply_wrongType_failsNamingTheKey() throws Exception {
    Path f = dir.resolve("c.json");
    Files.writeString(f, "{\"ports\":{\"http\":\"8500\"}}");
    assertThatThrownBy(() -> new ConfigFile().apply(f, EmulatorConfig.builder(), new AgentCommand.Acl(),
        new AgentCommand.TlsFiles())).hasMessageContaining("ports.http");
  }
}
