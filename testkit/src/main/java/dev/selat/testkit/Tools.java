package dev.selat.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the real peers are. {@code ./selat setup} installs them into the tool cache and {@code ./selat env} exports their paths
 * as {@code SELAT_*} variables; without those, the default cache locations are used.
 */
public final class Tools {
  // Keep these in step with the pinned versions in ./selat.
  private static final String ENVOY = "envoy-1.40.0/bin/envoy";
  private static final String TOXIPROXY_SERVER = "toxiproxy-2.5.0/toxiproxy-server";
  private static final String HELM = "helm-3.22.0/helm";
  private static final String HADOLINT = "hadolint-2.15.1/bin/hadolint";

  private Tools() {}

  public static Path envoy() {
    return find("SELAT_ENVOY", toolCache().resolve(ENVOY));
  }

  public static Path toxiproxyServer() {
    return find("SELAT_TOXIPROXY_SERVER", toolCache().resolve(TOXIPROXY_SERVER));
  }

  public static Path helm() {
    return find("SELAT_HELM", toolCache().resolve(HELM));
  }

  public static Path hadolint() {
    return find("SELAT_HADOLINT", toolCache().resolve(HADOLINT));
  }

  public static Path promtool() {
    return find("SELAT_PROMTOOL", Path.of("/usr/bin/promtool"));
  }

  /** Debian's {@code chromium} (the browser the status page's IT drives headless). */
  public static Path chromium() {
    return find("SELAT_CHROMIUM", Path.of("/usr/bin/chromium"));
  }

  /** Debian's {@code chromium-driver}: the WebDriver of the same Chromium version. */
  public static Path chromedriver() {
    return find("SELAT_CHROMEDRIVER", Path.of("/usr/bin/chromedriver"));
  }

  /** Directory for peer logs: {@code SELAT_LOG_DIR} (Failsafe sets it to target/peer-logs), else ./target/peer-logs. */
  public static Path logDir() {
    String dir = System.getenv("SELAT_LOG_DIR");
    return dir != null && !dir.isBlank() ? Path.of(dir) : Path.of("target", "peer-logs");
  }

  private static Path toolCache() {
    String tools = System.getenv("SELAT_TOOLS");
    return tools != null && !tools.isBlank()
        ? Path.of(tools)
        : Path.of(System.getProperty("user.home"), ".cache", "selat", "tools");
  }

  private static Path find(String envVar, Path fallback) {
    String configured = System.getenv(envVar);
    Path path = configured != null && !configured.isBlank() ? Path.of(configured) : fallback;
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException(
          envVar + ": no executable at " + path + " (run ./selat setup, which installs the real peers)");
    }
    return path;
  }
}
