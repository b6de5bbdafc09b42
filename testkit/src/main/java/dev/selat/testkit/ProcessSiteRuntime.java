package dev.selat.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A site as its own process, with a data dir so that a restart after kill -9 finds every acknowledged write: the
 * emulator's launcher (this JVM's java and classpath), or the real {@code consul} named by {@code SELAT_CONSUL_BINARY}.
 * Both read the same agent config file, written in the keys of Consul's config file.
 */
final class ProcessSiteRuntime implements SiteRuntime {
  static final String EMULATOR_MAIN = "dev.selat.emulator.cli.EmulatorMain";

  private final String name;
  private final List<String> command;
  private final URI httpAddress;
  private PeerProcess process;

  ProcessSiteRuntime(ConsulSite.Options options, Optional<Path> consulBinary) {
    int httpPort = options.httpPort() == 0 ? Ports.freeTcpPort() : options.httpPort();
    this.name = "consul-" + options.datacenter();
    this.httpAddress = URI.create("http://127.0.0.1:" + httpPort);
    try {
      Path dir = Files.createDirectories(
          Tools.logDir().resolveSibling("consul-sites").resolve(options.datacenter() + "-" + System.nanoTime()));
      Path configFile = dir.resolve("config.json");
      Files.writeString(configFile, agentConfig(options, httpPort, dir.resolve("data")));
      this.command = consulBinary
          .map(binary -> List.of(binary.toString(), "agent", "-config-file", configFile.toString()))
          .orElseGet(() -> emulatorCommand(configFile));
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the agent config of " + name, e);
    }
    this.process = PeerProcess.start(name, command);
  }

  private static List<String> emulatorCommand(Path configFile) {
    String java = ProcessHandle.current().info().command()
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> argv = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), EMULATOR_MAIN));
    argv.addAll(List.of("agent", "-config-file", configFile.toString()));
    return argv;
  }

  /** The config a real consul needs to run alone on loopback (distinct serf/server ports per site); the emulator ignores what it has no use for. */
  private static String agentConfig(ConsulSite.Options options, int httpPort, Path dataDir) {
    ObjectNode config = ConsulHttp.JSON.createObjectNode()
        .put("datacenter", options.datacenter())
        .put("node_name", options.nodeName())
        .put("data_dir", dataDir.toAbsolutePath().toString())
        .put("server", true)
        .put("bootstrap", true)
        .put("bind_addr", "127.0.0.1")
        .put("client_addr", "127.0.0.1")
        .put("disable_update_check", true);
    config.putObject("ports")
        .put("http", httpPort)
        .put("dns", -1)
        .put("grpc", -1)
        .put("serf_lan", Ports.freeTcpPort())
        .put("serf_wan", Ports.freeTcpPort())
        .put("server", Ports.freeTcpPort());
    options.aclDefaultPolicy().ifPresent(policy -> {
      ObjectNode acl = config.putObject("acl").put("enabled", true).put("default_policy", policy);
      acl.putObject("tokens").put("initial_management", options.managementToken()).put("agent", options.managementToken());
    });
    return config.toPrettyString();
  }

  @Override
  public URI httpAddress() {
    return httpAddress;
  }

  @Override
  public void kill9() {
    process.kill9();
  }

  @Override
  public void restart() {
    if (process.isAlive()) {
      throw new IllegalStateException("restart: " + process + " is still running; kill9() or close it first");
    }
    process = PeerProcess.start(name, command);
  }

  @Override
  public void stop() {
    process.close();
  }

  @Override
  public String toString() {
    return process.toString();
  }
}
