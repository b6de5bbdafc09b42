package dev.selat.controlplane.server;

import dev.selat.controlplane.config.ConfigException;
import dev.selat.controlplane.config.ConfigLoader;
import dev.selat.controlplane.config.SelatConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/** {@code selat-control-plane --config selat.yaml}: exit 2 on bad config (every problem named), 0 after SIGTERM. */
public final class ControlPlaneMain {
  private ControlPlaneMain() {}

  public static void main(String[] args) throws InterruptedException {
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        file = Path.of(args[++i]);
      } else if (args[i].startsWith("--config=")) {
        file = Path.of(args[i].substring("--config=".length()));
      } else {
        System.err.println("selat-control-plane: unknown argument " + args[i] + "\nusage: selat-control-plane --config FILE");
        System.exit(2);
      }
    }
    if (file == null) {
      System.err.println("usage: selat-control-plane --config FILE");
      System.exit(2);
    }
    SelatConfig config;
    try {
      config = ConfigLoader.load(file, System.getenv());
    } catch (ConfigException e) {
      System.err.println("selat-control-plane: " + file + ": bad config, not started:\n" + e.getMessage());
      System.exit(2);
      return;
    }
    ControlPlane cp = ControlPlane.start(config);
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    stop.await();
    cp.close();
    System.exit(0);
  }
}
