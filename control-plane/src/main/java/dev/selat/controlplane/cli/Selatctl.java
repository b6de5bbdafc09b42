package dev.selat.controlplane.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code selatctl}: the operator's command line. Subcommands: {@code bootstrap} (Envoy or gRPC xDS bootstrap for a
 * proxy); the policy commands ({@code apply}, {@code get}, {@code delete}, {@code validate}, {@code dry-run},
 * {@code explain}, {@code migrate}) against the control plane's PolicyService. Exit codes: 0 done, 1 refused (a bad
 * policy, named by file, line and field; a conflict; not found; no majority of sites), 2 usage (naming the option),
 * 3 the server could not be reached or refused the token.
 */
@Command(name = "selatctl", mixinStandardHelpOptions = true, versionProvider = Selatctl.Version.class,
    description = "Selat's command line.", subcommands = {BootstrapCommand.class, PolicyCommands.Apply.class,
        PolicyCommands.Get.class, PolicyCommands.Delete.class, PolicyCommands.Validate.class, PolicyCommands.DryRun.class,
        PolicyCommands.Explain.class, PolicyCommands.Migrate.class, CommandLine.HelpCommand.class})
public final class Selatctl implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private java.util.Map<String, String> env = System.getenv();

  /** The environment the policy commands read {@code SELAT_TOKEN} from. */
  java.util.Map<String, String> env() {
    return env;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command tree, for {@link #main} and tests ({@code setOut}/{@code setErr} redirect it). */
  public static CommandLine commandLine() {
    return new CommandLine(new Selatctl()).setParameterExceptionHandler((e, args) -> {
      // The message names the option; the full usage would bury it.
      CommandLine cl = e.getCommandLine();
      cl.getErr().println(cl.getColorScheme().errorText("selatctl: " + e.getMessage()));
      cl.getErr().println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
      cl.getErr().flush();
      return cl.getCommandSpec().exitCodeOnInvalidInput();
    });
  }

  /** Runs {@code args} with the given output and error streams; returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(System.getenv(), out, err, args);
  }

  /** {@link #run(PrintWriter, PrintWriter, String...)} with {@code env} as the environment. */
  public static int run(java.util.Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = commandLine();
    ((Selatctl) cl.getCommand()).env = java.util.Map.copyOf(env);
    cl.setOut(out);
    cl.setErr(err);
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (bootstrap, apply, get, delete, validate, dry-run, explain, migrate)");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Selatctl.class.getPackage().getImplementationVersion();
      return new String[] {"selatctl " + (v == null ? "(development build)" : v)};
    }
  }
}
