package dev.selat.emulator;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The emulator as users start it, {@code bin/selat-consul-emulator agent ...} (the shaded jar is built by the package
 * phase, before Failsafe runs), as a child process of the test with its log in target/peer-logs. For the ITs that need a
 * real process: kill -9, or several sites as several processes. (testkit's PeerProcess cannot be used here: testkit
 * depends on this module.)
 */
final class EmulatorLauncher implements AutoCloseable {
  static final Path LAUNCHER = Path.of("bin", "selat-consul-emulator");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final List<String> command;
  private final Path log;
  private final URI httpAddress;
  private Process process;

  private EmulatorLauncher(String name, int httpPort, List<String> agentArgs) {
    this.command = new ArrayList<>(List.of(LAUNCHER.toString(), "agent", "-http-port", Integer.toString(httpPort)));
    command.addAll(agentArgs);
    this.httpAddress = URI.create("http://127.0.0.1:" + httpPort);
    try {
      Path dir = Files.createDirectories(Path.of("target", "peer-logs"));
      this.log = dir.resolve(name + "-" + System.nanoTime() + ".log");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    launch();
  }

  /** Starts {@code selat-consul-emulator agent -http-port <port> <agentArgs>} and waits until it has a leader. */
  static EmulatorLauncher start(String name, int httpPort, List<String> agentArgs) {
    return new EmulatorLauncher(name, httpPort, agentArgs);
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  URI httpAddress() {
    return httpAddress;
  }

  /** SIGKILL to the launcher and the JVM it started, as a crash would. */
  void kill9() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    await().atMost(Duration.ofSeconds(10)).until(() -> !process.isAlive() && process.descendants().count() == 0);
  }

  /** Starts the same command again (same port, same data dir) and waits until it has a leader. */
  void restart() {
    launch();
  }

  private void launch() {
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command, e);
    }
    await("emulator " + command + " (log " + log + ") has a leader")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptionsInstanceOf(IOException.class)
        .until(() -> {
          if (!process.isAlive()) {
            throw new AssertionError("emulator exited with " + process.exitValue() + "; see " + log);
          }
          HttpResponse<String> leader = HTTP.send(HttpRequest.newBuilder(httpAddress.resolve("/v1/status/leader")).build(),
              HttpResponse.BodyHandlers.ofString());
          return leader.statusCode() == 200 && !leader.body().equals("\"\"");
        });
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    await().atMost(Duration.ofSeconds(10)).until(() -> !process.isAlive());
  }
}
