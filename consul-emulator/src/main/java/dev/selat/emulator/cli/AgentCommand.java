package dev.selat.emulator.cli;

import dev.selat.emulator.ConsulEmulator;
import dev.selat.emulator.EmulatorConfig;
import dev.selat.emulator.Version;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code agent}: consul agent's flags; config files first, flags override them, as in Consul. */
@Command(name = "agent", description = "Runs a Consul-compatible agent (server, single node).")
final class AgentCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(AgentCommand.class);

  static final class Acl {
    boolean enabled;
    String defaultPolicy = "allow";
    String initialManagement;
  }

  static final class TlsFiles {
    Path ca;
    Path cert;
    Path key;
    boolean verifyIncoming;
  }

  @Option(names = {"-dev", "--dev"}, description = "Development mode: state in memory.") boolean dev;
  @Option(names = {"-datacenter", "--datacenter"}) String datacenter;
  @Option(names = {"-node", "--node"}) String node;
  @Option(names = {"-node-id", "--node-id"}) String nodeId;
  @Option(names = {"-bind", "--bind"}) String bind;
  @Option(names = {"-client", "--client"}) String client;
  @Option(names = {"-http-port", "--http-port"}) Integer httpPort;
  @Option(names = {"-https-port", "--https-port"}) Integer httpsPort;
  @Option(names = {"-data-dir", "--data-dir"}) Path dataDir;
  @Option(names = {"-config-file", "--config-file"}) List<Path> configFiles = new ArrayList<>();
  @Option(names = {"-server", "--server"}) boolean server;
  @Option(names = {"-bootstrap", "--bootstrap"}) boolean bootstrap;
  @Option(names = {"-bootstrap-expect", "--bootstrap-expect"}) Integer bootstrapExpect;
  @Option(names = {"-log-level", "--log-level"}) String logLevel;
  @Option(names = {"-ui", "--ui"}) boolean ui;

  @Override
  public Integer call() throws Exception {
    EmulatorConfig.Builder b = EmulatorConfig.builder().httpPort(8500);
    Acl acl = new Acl();
    TlsFiles tls = new TlsFiles();
    ConfigFile files = new ConfigFile();
    for (Path f : configFiles) {
      files.apply(f, b, acl, tls);
    }
    if (!files.ignored().isEmpty()) {
      log.info("config keys accepted but not used by the emulator: {}", String.join(", ", files.ignored()));
    }
    if (datacenter != null) b.datacenter(datacenter);
    if (node != null) b.nodeName(node);
    if (nodeId != null) b.nodeId(nodeId);
    if (bind != null) b.bindAddr(bind);
    if (client != null) b.clientAddr(client);
    if (httpPort != null) b.httpPort(httpPort);
    if (httpsPort != null) b.httpsPort(httpsPort);
    if (dataDir != null) b.dataDir(dataDir);
    if (dev) {
      b.dataDir(null);
    }
    b.acl(new EmulatorConfig.Acl(acl.enabled, acl.defaultPolicy, Optional.ofNullable(acl.initialManagement)));
    b.tls(new EmulatorConfig.Tls(Optional.ofNullable(tls.cert), Optional.ofNullable(tls.key),
        Optional.ofNullable(tls.ca), tls.verifyIncoming));
    EmulatorConfig config = b.build();
    if (node == null && configFiles.isEmpty()) {
      config = config.toBuilder().nodeName(java.net.InetAddress.getLocalHost().getHostName()).build();
    }
    // The hook is in place before start-up: an interrupt while starting still ends the process at once.
    AtomicReference<ConsulEmulator> running = new AtomicReference<>();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      ConsulEmulator e = running.get();
      if (e != null) {
        e.close();
      }
      stop.countDown();
    }, "consul-emulator-shutdown"));
    ConsulEmulator emulator = ConsulEmulator.start(config, Optional.of(ConsulEmulator.bindHttp(config)));
    running.set(emulator);
    System.out.println("==> Consul agent running! (" + Version.EMULATOR + ")");
    System.out.println("    HTTP: " + emulator.httpAddress());
    System.out.flush();
    stop.await();
    return 0;
  }
}
