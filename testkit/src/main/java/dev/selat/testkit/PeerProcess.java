package dev.selat.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A real peer process started by a test. Its stdout and stderr go to {@code <logDir>/<name>-<n>.log}.
 *
 * <p>It never outlives the test JVM: {@link #close()} stops it, a shutdown hook stops whatever is left, and when the JVM dies
 * without running hooks (kill -9) a watchdog notices its stdin pipe closing and kills the peer. The watchdog is a
 * {@code sh} parent that reads stdin until end of file; the peer itself gets {@code /dev/null} as stdin.
 */
public final class PeerProcess implements AutoCloseable {
  private static final Set<PeerProcess> LIVE = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  // $0 is the peer's pid file. Background jobs of a non-interactive sh get /dev/null as stdin, so the reader takes the
  // pipe through fd 3. Once the peer has ended the reader is stopped: its kill must never reach a later process that
  // reused the pid when close() ends the pipe.
  private static final String WATCHDOG = """
      exec 3<&0
      "$@" </dev/null 3<&- & child=$!
      echo $child > "$0"
      ( cat <&3 >/dev/null; kill -KILL $child 2>/dev/null ) & reader=$!
      trap 'kill -TERM $child 2>/dev/null; kill $reader 2>/dev/null; exit 0' TERM INT
      wait $child
      status=$?
      kill $reader 2>/dev/null
      exit $status
      """;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(PeerProcess::close), "peer-process-reaper"));
  }

  private final String name;
  private final List<String> command;
  private final Path logFile;
  private final Path pidFile;
  private final Process watchdog;
  private final long pid;
  /**
   * Taken once, at start: a handle knows its process's start time, so it never signals another process that reused
   * the pid later. Empty when the peer was already gone by then.
   */
  private final Optional<ProcessHandle> peer;

  private PeerProcess(String name, List<String> command) throws IOException {
    this.name = name;
    this.command = List.copyOf(command);
    Path dir = Files.createDirectories(Tools.logDir());
    String base = name + "-" + SEQUENCE.incrementAndGet();
    this.logFile = dir.resolve(base + ".log");
    this.pidFile = dir.resolve(base + ".pid");
    Files.deleteIfExists(pidFile);
    List<String> argv = new ArrayList<>(List.of("sh", "-c", WATCHDOG, pidFile.toString()));
    argv.addAll(command);
    this.watchdog = new ProcessBuilder(argv)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .start();
    this.pid = awaitPid();
    this.peer = ProcessHandle.of(pid);
    LIVE.add(this);
  }

  /** Starts {@code command}; throws if it cannot be started. */
  public static PeerProcess start(String name, List<String> command) {
    requireNonNull(name, "name");
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command: must not be empty");
    }
    try {
      return new PeerProcess(name, command);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + name + ": " + command, e);
    }
  }

  private long awaitPid() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      // The watchdog writes the pid file as "<pid>\n" in one write; a line end means it is complete.
      String text = Files.exists(pidFile) ? Files.readString(pidFile) : "";
      if (text.endsWith("\n")) {
        return Long.parseLong(text.trim());
      }
      if (!watchdog.isAlive()) {
        throw new IOException(name + " exited at once; see " + logFile);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // not a spin: the machine has 2 cores
    }
    throw new IOException(name + ": no pid after 10 s; see " + logFile);
  }

  public String name() {
    return name;
  }

  public List<String> command() {
    return command;
  }

  /** The peer's own pid (not the watchdog's). */
  public long pid() {
    return pid;
  }

  public Path logFile() {
    return logFile;
  }

  public boolean isAlive() {
    return peer.map(ProcessHandle::isAlive).orElse(false);
  }

  /** The last lines of the log, for assertion messages. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(logFile);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGKILL, as a crash would; waits until the peer is gone. */
  public void kill9() {
    peer.ifPresent(p -> {
      p.destroyForcibly();
      p.onExit().orTimeout(10, TimeUnit.SECONDS).join();
    });
    stopWatchdog();
  }

  /** SIGTERM, then SIGKILL after a grace period. Idempotent. */
  @Override
  public void close() {
    peer.ifPresent(p -> {
      p.destroy();
      try {
        p.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception timedOut) {
        p.destroyForcibly();
      }
    });
    stopWatchdog();
  }

  private void stopWatchdog() {
    try {
      watchdog.getOutputStream().close(); // ends the watchdog's stdin reader
    } catch (IOException ignored) {
      // already closed
    }
    watchdog.destroyForcibly();
    try {
      watchdog.waitFor(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LIVE.remove(this);
  }

  @Override
  public String toString() {
    return name + "[pid " + pid + ", log " + logFile + "]";
  }
}
