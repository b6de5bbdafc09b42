package dev.selat.emulator.cli;

import dev.selat.emulator.Version;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** selat-consul-emulator: {@code agent ...} and {@code version [-format=json]}, as the consul CLI. */
@Command(name = "selat-consul-emulator", subcommands = {AgentCommand.class, EmulatorMain.VersionCommand.class, TrainCommand.class},
    description = "Selat's Consul-compatible server (not HashiCorp Consul).")
public final class EmulatorMain implements Callable<Integer> {
  @Override
  public Integer call() {
    CommandLine.usage(this, System.err);
    return 1;
  }

  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new EmulatorMain());
    cl.setParameterExceptionHandler((ex, a) -> {
      // Consul's own words for an unknown flag; picocli's for a bad value (it names the flag).
      if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
        System.err.println("flag provided but not defined: " + u.getUnmatched().get(0));
      } else {
        System.err.println(ex.getMessage());
      }
      return 1;
    });
    int code = cl.execute(args);
    if (code != 0 || !(args.length > 0 && args[0].equals("agent"))) {
      System.exit(code);
    }
  }

  @Command(name = "version", description = "Prints the version (Consul's JSON shape with -format=json).")
  static final class VersionCommand implements Callable<Integer> {
    @Option(names = {"-format", "--format"}) String format = "";

    @Override
    public Integer call() throws Exception {
      if ("json".equals(format)) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("Version", Version.VERSION);
        v.put("Revision", Version.REVISION);
        v.put("Prerelease", "");
        v.put("FullVersion", Version.VERSION);
        v.put("BuildDate", Version.BUILD_DATE);
        v.put("RPC", Map.of("Default", 1, "Min", 1, "Max", 3));
        v.put("Emulator", Version.EMULATOR);
        System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
            .writeValueAsString(v));
      } else {
        System.out.println("Consul " + Version.HUMAN);
        System.out.println("Revision " + Version.REVISION);
        System.out.println(Version.EMULATOR);
      }
      return 0;
    }
  }
}
