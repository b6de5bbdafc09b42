package dev.selat.controlplane.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code selatctl}: the operator's command line. Subcommands: {@code bootstrap} (Envoy or gRPC xDS bootstrap for a
 * proxy); the policy commands ({@code apply}, {@code get}, {@code delete}, {@code explain}, {@code dry-run}) join
 * here as further subcommands. Usage errors exit with 2, naming the option.
 */
@Command(name = "selatctl", mixinStandardHelpOptions = true, versionProvider = Selatctl.Version.class,
    description = "Selat's command line.", subcommands = {BootstrapCommand.class, CommandLine.HelpCommand.class})
public final class Selatctl implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

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
    CommandLine cl = commandLine();
    cl.setOut(out);
    cl.setErr(err);
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (bootstrap)");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Selatctl.class.getPackage().getImplementationVersion();
      return new String[] {"selatctl " + (v == null ? "(development build)" : v)};
    }
  }
}
