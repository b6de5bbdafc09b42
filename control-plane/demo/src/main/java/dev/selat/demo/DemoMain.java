package dev.selat.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code selat demo}: starts the mesh and shows it live until {@code q}, Ctrl-C or a signal; {@code --step NAME} asks a
 * running demo to take a step of the tour instead.
 */
@Command(name = "selat demo", mixinStandardHelpOptions = true,
    description = "Three Consul sites, probe agents, gateways and sidecars (real Envoy), Toxiproxy links, traffic and "
        + "Selat's control plane on this machine, live in the terminal.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:stopped cleanly, or the step was taken", "1:the mesh did not start, or no demo is running",
        "2:bad arguments, or no such step"})
public final class DemoMain implements Callable<Integer> {
  @Option(names = "--sites", defaultValue = "3", paramLabel = "N",
      description = "3, or 4 to add alibaba-jkt (by config only; default ${DEFAULT-VALUE}).")
  int sites;

  @Option(names = "--step", paramLabel = "NAME", description = "Take a step in the running demo: degrade-leased-line, "
      + "fail-catalog, jitter-vpn, kill-consul, restore.")
  String step;

  @Option(names = "--plain", description = "Plain lines instead of the live view (the default when stdout is not a terminal).")
  boolean plain;

  @Option(names = "--dir", paramLabel = "DIR", description = "Where the demo keeps its config, logs and control port "
      + "(default: the selat.demo.dir property, else ~/.cache/selat/demo).")
  Path dir;

  private final PrintStream out = System.out;
  private volatile DemoMesh mesh;
  private volatile TerminalView terminal;
  private volatile StepServer control;

  public static void main(String[] args) {
    int code = new CommandLine(new DemoMain()).execute(args);
    System.exit(code);
  }

  @Override
  public Integer call() throws Exception {
    if (dir == null) {
      dir = Path.of(System.getProperty("selat.demo.dir", System.getProperty("user.home") + "/.cache/selat/demo"));
    }
    Files.createDirectories(dir);
    Optional<Integer> running = StepServer.running(dir);
    if (step != null) {
      return takeStep(running);
    }
    if (running.isPresent()) {
      System.err.println("selat demo: a demo is already running (its control port " + running.get() + " in " + dir
          + "); stop it with q, or take a step with --step NAME");
      return 1;
    }
    DemoTopology topology;
    try {
      topology = DemoTopology.ofSites(sites);
    } catch (IllegalArgumentException e) {
      System.err.println("selat demo: " + e.getMessage());
      return 2;
    }
    clearLogs(dir.resolve("logs"));
    Thread cleanup = new Thread(this::stop, "demo-stop");
    Runtime.getRuntime().addShutdownHook(cleanup); // SIGTERM, SIGINT, and System.exit after q
    out.println("selat demo: " + topology.siteIds() + ", config and logs in " + dir);
    try {
      mesh = DemoMesh.start(topology, dir, out::println);
    } catch (Exception e) {
      System.err.println("selat demo: the mesh did not start: " + e + " (logs in " + dir + ")");
      return 1;
    }
    DemoMesh started = mesh;
    Predicate<String> steps = started::step;
    try {
      control = new StepServer(dir, steps);
      if (plain) {
        new PlainView(out).run(started, steps);
      } else {
        terminal = new TerminalView();
        terminal.run(started, steps);
      }
    } finally {
      stop();
    }
    return 0;
  }

  /** The last run's peer logs go: each run writes new ones. */
  private static void clearLogs(Path logs) throws IOException {
    if (Files.isDirectory(logs)) {
      try (Stream<Path> all = Files.walk(logs)) {
        all.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(logs)).forEach(p -> p.toFile().delete());
      }
    }
  }

  private int takeStep(Optional<Integer> running) throws Exception {
    if (running.isEmpty()) {
      System.err.println("selat demo: no demo running with " + dir + " (start one with ./selat demo)");
      return 1;
    }
    HttpResponse<String> answer = StepServer.send(running.get(), step);
    (answer.statusCode() == 200 ? out : System.err).print("selat demo: " + answer.body());
    return answer.statusCode() == 200 ? 0 : 2;
  }

  /** Gives the terminal back, then stops the mesh; once, whoever asks first (q, Ctrl-C, a signal). */
  private synchronized void stop() {
    if (control != null) {
      try {
        control.close();
      } catch (Exception e) {
        // its port file stays; the next run sees nothing answers there
      }
      control = null;
    }
    if (terminal != null) {
      try {
        terminal.close();
      } catch (Exception e) {
        // the terminal is gone already
      }
      terminal = null;
    }
    if (mesh != null) {
      out.println("selat demo: stopping");
      mesh.close();
      mesh = null;
      out.println("selat demo: stopped");
    }
  }
}
