package dev.selat.controlplane.server;

import dev.selat.controlplane.config.ConfigException;
import dev.selat.controlplane.config.ConfigLoader;
import dev.selat.controlplane.config.SelatConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code selat-control-plane --config selat.yaml}: exit 2 on bad usage or config (every problem named), 0 after SIGTERM. */
@Command(name = "selat-control-plane", mixinStandardHelpOptions = true,
    description = "Selat's control plane: every site's Consul and the measured links in, xDS out.")
public final class ControlPlaneMain implements Callable<Integer> {
  @Option(names = "--config", required = true, paramLabel = "FILE", description = "the YAML config (SELAT_* overrides it)")
  Path config;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ControlPlaneMain()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    SelatConfig loaded;
    try {
      loaded = ConfigLoader.load(config, System.getenv());
    } catch (ConfigException e) {
      System.err.println("selat-control-plane: " + config + ": bad config, not started:\n" + e.getMessage());
      return 2;
    }
    ControlPlane cp = ControlPlane.start(loaded);
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    stop.await();
    cp.close();
    return 0;
  }
}
