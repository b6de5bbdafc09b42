package dev.selat.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The driver's handle on a server JVM ({@link ServerMain}) it launched with the same java, class
 * path and the given JVM flags. Commands are synchronous; the server's stderr goes to a log file,
 * read back to detect out-of-memory failures.
 */
final class ServerProcess implements AutoCloseable {
  /** What the server JVM reports about itself. */
  record Stats(long cpuNanos, long heapUsed, long peakHeap, long peakDirect) {}

  private final Process process;
  private final BufferedReader replies;
  private final PrintStream commands;
  private final Path log;
  private final int port;

  private ServerProcess(Process process, Path log) throws IOException {
    this.process = process;
    this.log = log;
    this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    this.port = Integer.parseInt(reply("ready"));
  }

  static ServerProcess start(BenchServer.Kind kind, int clusters, List<String> jvmFlags, Path logDir)
      throws IOException {
    Files.createDirectories(logDir);
    Path log = Files.createTempFile(logDir, "server-" + kind.id() + "-", ".log");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmFlags);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServerMain.class.getName(),
        kind.id(), Integer.toString(clusters)));
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    try {
      return new ServerProcess(process, log);
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  int port() {
    return port;
  }

  /** Publishes update {@code k}; returns the server's System.nanoTime() just before it was handed over. */
  long publish(int update) throws IOException {
    return Long.parseLong(command("publish " + update, "published"));
  }

  Stats stats() throws IOException {
    String[] f = command("stats", "stats").split(" ");
    return new Stats(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
  }

  /** The stats, or unknown (-1) once the server has exited. */
  Stats statsIfAlive() throws IOException {
    try {
      return stats();
    } catch (IOException e) {
      if (process.isAlive()) {
        throw e;
      }
      return new Stats(-1, -1, -1, -1);
    }
  }

  /** Why the server is gone (its out-of-memory line, or its exit status); null while it runs. */
  String exitReason() throws IOException {
    if (process.isAlive()) {
      return null;
    }
    String memory = memoryFailure();
    return memory != null ? memory : "server exited with " + process.exitValue();
  }

  long heapAfterGc() throws IOException {
    return Long.parseLong(command("gc", "gc"));
  }

  /** Starts a JFR profile of the server into {@code file}, until {@link #stopProfile}. */
  void startProfile(Path file) throws IOException {
    command("jfr-start " + file.toAbsolutePath(), "ok");
  }

  void stopProfile() throws IOException {
    command("jfr-stop", "ok");
  }

  void resetPeak() throws IOException {
    command("reset-peak", "ok");
  }

  /** A line of the server's log naming an out-of-memory failure, or null. */
  String memoryFailure() throws IOException {
    try (var lines = Files.lines(log)) {
      return lines.filter(l -> l.contains("OutOfMemoryError") || l.contains("OutOfDirectMemoryError"))
          .findFirst().orElse(null);
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  private String command(String line, String expected) throws IOException {
    if (!process.isAlive()) {
      throw new IOException("server exited with " + process.exitValue() + "; see " + log);
    }
    commands.println(line);
    return reply(expected);
  }

  private String reply(String expected) throws IOException {
    String line;
    while ((line = replies.readLine()) != null) {
      if (line.startsWith(ServerMain.REPLY)) {
        String body = line.substring(ServerMain.REPLY.length());
        if (!body.startsWith(expected)) {
          throw new IOException("server replied '" + body + "', expected " + expected + "; see " + log);
        }
        return body.substring(expected.length()).trim();
      }
    }
    throw new IOException("server closed its output; see " + log);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      commands.println("quit");
      commands.close();
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
