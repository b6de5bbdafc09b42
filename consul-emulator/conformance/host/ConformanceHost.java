package dev.selat.emulator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.selat.emulator.ConsulEmulator;
import dev.selat.emulator.EmulatorConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The conformance run's resident emulator host: one JVM that starts an emulator instance for every {@code consul agent}
 * the consul/api suite launches (through the Go shim in ../shim), because a fresh JVM per test misses sdk/testutil's
 * 2 s start-up window on a loaded 2-core machine. Protocol, one connection per instance: the shim sends the agent's
 * arguments as a JSON array on one line; the host answers {@code OK <http address>} or {@code ERR <message>}; the
 * instance lives until the shim sends {@code STOP} (answered {@code STOPPED}) or the connection closes.
 *
 * <p>It sits in the cli package to reuse AgentCommand's flags and ConfigFile; built by run.sh against the shaded jar.
 */
public final class ConformanceHost {
  private static final Logger log = LoggerFactory.getLogger(ConformanceHost.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private ConformanceHost() {}

  public static void main(String[] args) throws IOException {
    Path socket = Path.of(args[0]);
    Files.deleteIfExists(socket);
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      log.info("conformance host listening on {}", socket);
      while (true) {
        SocketChannel connection = server.accept();
        Thread.startVirtualThread(() -> serve(connection));
      }
    }
  }

  private static void serve(SocketChannel connection) {
    try (connection;
        BufferedReader in = new BufferedReader(Channels.newReader(connection, StandardCharsets.UTF_8));
        Writer out = Channels.newWriter(connection, StandardCharsets.UTF_8)) {
      String[] agentArgs = JSON.readValue(in.readLine(), String[].class);
      ConsulEmulator emulator;
      try {
        emulator = ConsulEmulator.start(config(agentArgs));
      } catch (Exception e) {
        log.warn("agent {} did not start", String.join(" ", agentArgs), e);
        reply(out, "ERR " + e.getMessage());
        return;
      }
      try {
        reply(out, "OK " + emulator.httpAddress());
        in.readLine(); // STOP, or null when the shim is gone
      } finally {
        emulator.close();
      }
      reply(out, "STOPPED");
    } catch (IOException e) {
      log.debug("shim connection closed: {}", e.toString());
    }
  }

  private static void reply(Writer out, String line) throws IOException {
    out.write(line + "\n");
    out.flush();
  }

  /** What AgentCommand.call() assembles before it starts the emulator (to be replaced by AgentCommand.config()). */
  private static EmulatorConfig config(String[] agentArgs) throws IOException {
    AgentCommand agent = new AgentCommand();
    new CommandLine(agent).parseArgs(agentArgs);
    EmulatorConfig.Builder b = EmulatorConfig.builder().httpPort(8500);
    AgentCommand.Acl acl = new AgentCommand.Acl();
    AgentCommand.TlsFiles tls = new AgentCommand.TlsFiles();
    ConfigFile files = new ConfigFile();
    for (Path f : agent.configFiles) {
      files.apply(f, b, acl, tls);
    }
    Optional.ofNullable(agent.datacenter).ifPresent(b::datacenter);
    Optional.ofNullable(agent.node).ifPresent(b::nodeName);
    Optional.ofNullable(agent.nodeId).ifPresent(b::nodeId);
    Optional.ofNullable(agent.httpPort).ifPresent(b::httpPort);
    Optional.ofNullable(agent.dataDir).ifPresent(b::dataDir);
    if (agent.dev) {
      b.dataDir(null);
    }
    b.acl(new EmulatorConfig.Acl(acl.enabled, acl.defaultPolicy, Optional.ofNullable(acl.initialManagement)));
    b.tls(new EmulatorConfig.Tls(Optional.ofNullable(tls.cert), Optional.ofNullable(tls.key), Optional.ofNullable(tls.ca),
        tls.verifyIncoming));
    return b.build();
  }
}
