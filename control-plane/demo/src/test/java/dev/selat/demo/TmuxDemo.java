package dev.selat.demo;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/selat-demo} in a real terminal (a detached tmux session), driven as a person would: keys in, the screen
 * out. It also finds what the demo left behind: the processes of its process group (tmux makes the demo's process a
 * session leader, and every child the demo starts stays in its group) and the ports they had bound.
 */
final class TmuxDemo implements AutoCloseable {
  /** A row of the traffic table: who answered a site's calls of a service, their p50, and the route. */
  record TrafficRow(String site, String service, String answeredBy, double p50Millis, String route) {}

  private static final Pattern TRAFFIC = Pattern.compile(
      "^ {2}(\\S+) +(web|catalog|payments) +(.+?) +(\\d+\\.\\d) ms {2}(.+?)\\s*$", Pattern.MULTILINE);
  private static final Path LAUNCHER = Path.of("..", "bin", "selat-demo").toAbsolutePath().normalize();

  private final String session;
  private final long pid;

  private TmuxDemo(String session, long pid) {
    this.session = session;
    this.pid = pid;
  }

  /** Starts the demo with {@code args} in a 160x50 terminal; {@code dir} is its SELAT_DEMO_DIR. */
  static TmuxDemo start(String session, Path dir, String... args) throws Exception {
    run("tmux", "kill-session", "-t", session); // a session a failed run left
    List<String> command = new ArrayList<>(List.of("tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "50",
        "-e", "SELAT_DEMO_DIR=" + dir.toAbsolutePath(), LAUNCHER.toString()));
    command.addAll(List.of(args));
    check(command.toArray(String[]::new));
    check("tmux", "set-option", "-t", session, "remain-on-exit", "on"); // the last screen stays readable
    long pid = Long.parseLong(check("tmux", "display-message", "-p", "-t", session, "#{pane_pid}").trim());
    return new TmuxDemo(session, pid);
  }

  /** The demo's own process (the launcher execs the JVM), the leader of its process group. */
  long pid() {
    return pid;
  }

  String screen() {
    try {
      return check("tmux", "capture-pane", "-p", "-t", session);
    } catch (Exception e) {
      return "";
    }
  }

  void sendKeys(String keys) throws Exception {
    check("tmux", "send-keys", "-t", session, keys);
  }

  /** The traffic table on the screen now, by "site>service". */
  Map<String, TrafficRow> traffic() {
    Map<String, TrafficRow> rows = new TreeMap<>();
    Matcher m = TRAFFIC.matcher(screen());
    while (m.find()) {
      rows.put(m.group(1) + ">" + m.group(2),
          new TrafficRow(m.group(1), m.group(2), m.group(3), Double.parseDouble(m.group(4)), m.group(5)));
    }
    return rows;
  }

  /** Waits until the demo shows its keys and every site's traffic (the mesh is up). */
  void awaitRunning(int rows) {
    await("the demo's live view").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> screen().contains("Keys:") && traffic().size() == rows);
  }

  /**
   * The live processes in the demo's process group, by pid. A zombie is not one: it has ended and holds nothing but
   * its exit status, until its parent (tmux, for the demo itself) reads it.
   */
  Set<Long> group() throws Exception {
    Set<Long> pids = new TreeSet<>();
    for (String line : check("ps", "-eo", "pid=,pgid=,stat=").split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 3 && Long.parseLong(f[1]) == pid && !f[2].startsWith("Z")) {
        pids.add(Long.parseLong(f[0]));
      }
    }
    return pids;
  }

  /** "tcp:PORT" (listening) and "udp:PORT" sockets the group's processes hold on this machine's loopback or any address. */
  Set<String> boundPorts() throws Exception {
    Set<String> inodes = new TreeSet<>();
    for (long p : group()) {
      try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", String.valueOf(p), "fd"))) {
        for (Path fd : fds) {
          try {
            String target = Files.readSymbolicLink(fd).toString();
            if (target.startsWith("socket:[")) {
              inodes.add(target.substring("socket:[".length(), target.length() - 1));
            }
          } catch (IOException gone) {
            // the fd closed meanwhile
          }
        }
      } catch (IOException gone) {
        // the process ended meanwhile
      }
    }
    Set<String> ports = new TreeSet<>();
    for (String table : List.of("tcp", "tcp6", "udp", "udp6")) {
      List<String> lines = Files.readAllLines(Path.of("/proc/net", table));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        boolean tcp = table.startsWith("tcp");
        if (inodes.contains(f[9]) && (!tcp || f[3].equals("0A"))) { // 0A: LISTEN
          ports.add((tcp ? "tcp:" : "udp:") + Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16));
        }
      }
    }
    return ports;
  }

  /** Whether {@code port} ("tcp:N" or "udp:N") can be bound on 127.0.0.1 now. */
  static boolean free(String port) {
    int n = Integer.parseInt(port.substring(4));
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), n);
    try {
      if (port.startsWith("tcp")) {
        try (ServerSocket s = new ServerSocket()) {
          s.bind(address);
        }
      } else {
        try (DatagramSocket s = new DatagramSocket(address)) {
          return s.isBound();
        }
      }
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  /** Whether the demo still runs: tmux marks its pane dead once the demo's process has exited. */
  boolean alive() {
    try {
      return !check("tmux", "display-message", "-p", "-t", session, "#{pane_dead}").trim().equals("1");
    } catch (Exception e) {
      return false;
    }
  }

  static String check(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    run("tmux", "kill-session", "-t", session);
  }
}
