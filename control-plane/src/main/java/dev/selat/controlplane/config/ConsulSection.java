package dev.selat.controlplane.config;

import dev.selat.consul.ConsistencyMode;
import dev.selat.consul.ConsulConfigException;
import dev.selat.consul.SiteConfig;
import dev.selat.consul.StalenessMode;
import dev.selat.consul.TlsSettings;
import dev.selat.consul.WatchRateLimit;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads one site's {@code consul}, {@code staleness} and {@code startBudget} into consul-bridge's {@link SiteConfig}
 * through its builder, so that the bridge's own rules validate it; the site's Consul variables go through
 * {@link SiteConfig#fromEnv}. A bridge error is reported at the YAML path of its field.
 */
final class ConsulSection {
  /** host:port, host:port with a bracketed IPv6 literal. */
  /** The bridge's field (after {@code sites.<id>.}) -> the YAML sub-path of the site, and Consul's variable for it. */
  private static final Map<String, String[]> BRIDGE_FIELDS = Map.ofEntries(
      Map.entry("siteId", new String[] {"id", null}),
      Map.entry("region", new String[] {"region", null}),
      Map.entry("addresses", new String[] {"consul.addresses", "CONSUL_HTTP_ADDR"}),
      Map.entry("CONSUL_HTTP_ADDR", new String[] {"consul.addresses", "CONSUL_HTTP_ADDR"}),
      Map.entry("datacenter", new String[] {"consul.datacenter", null}),
      Map.entry("token", new String[] {"consul.token", "CONSUL_HTTP_TOKEN"}),
      Map.entry("tokenFile", new String[] {"consul.tokenFile", "CONSUL_HTTP_TOKEN_FILE"}),
      Map.entry("tls", new String[] {"consul.tls", null}),
      Map.entry("tls.caFile", new String[] {"consul.tls.caFile", "CONSUL_CACERT"}),
      Map.entry("tls.clientCert", new String[] {"consul.tls.certFile", "CONSUL_CLIENT_CERT"}),
      Map.entry("tls.clientKey", new String[] {"consul.tls.keyFile", "CONSUL_CLIENT_KEY"}),
      Map.entry("tls.serverName", new String[] {"consul.tls.serverName", "CONSUL_TLS_SERVER_NAME"}),
      Map.entry("maxStale", new String[] {"consul.maxStale", null}),
      Map.entry("rateLimit.burst", new String[] {"consul.rateLimit.burst", null}),
      Map.entry("rateLimit.refill", new String[] {"consul.rateLimit.refill", null}),
      Map.entry("stalenessBudget", new String[] {"staleness.budget", null}),
      Map.entry("startBudget", new String[] {"startBudget", null}));

  private ConsulSection() {}

  /** Empty when a problem was reported. */
  static Optional<SiteConfig> read(Field site, String id, EnvOverrides.SiteEnv env, Problems problems) {
    String p = site.path();
    int before = problems.size();
    Optional<String> region = site.get("region").text();
    Field consul = site.get("consul");
    consul.checkMapping();
    Field tlsField = consul.get("tls");
    tlsField.checkMapping();
    Field staleness = site.get("staleness");
    staleness.checkMapping();

    Optional<String> scheme = consul.get("scheme").text().map(s -> s.toLowerCase(Locale.ROOT));
    if (scheme.isPresent() && !scheme.get().equals("http") && !scheme.get().equals("https")) {
      consul.get("scheme").problem("must be http or https, was \"" + scheme.get() + "\"");
    }
    Optional<Path> caFile = tlsField.get("caFile").text().map(Path::of);
    Optional<Path> certFile = tlsField.get("certFile").text().map(Path::of);
    Optional<Path> keyFile = tlsField.get("keyFile").text().map(Path::of);
    Optional<String> serverName = tlsField.get("serverName").text();
    if (tlsField.get("insecureSkipVerify").bool().orElse(false)) {
      tlsField.get("insecureSkipVerify").problem("true is not supported: consul-bridge always verifies Consul's certificate; "
          + "name its CA in caFile (and serverName if the address differs)");
    }
    boolean tlsInFile = caFile.isPresent() || certFile.isPresent() || keyFile.isPresent() || serverName.isPresent();
    String effectiveScheme = scheme.orElse(tlsInFile ? "https" : "http");

    List<URI> addresses = new ArrayList<>();
    for (Field a : consul.get("addresses").elements()) {
      a.hostPort().ifPresent(hp -> addresses.add(URI.create(effectiveScheme + "://" + hp)));
    }
    Optional<String> token = consul.get("token").text();
    Optional<Path> tokenFile = consul.get("tokenFile").text().map(Path::of);
    if (token.isPresent() && tokenFile.isPresent() && !problems.fromEnv(consul.get("token").path())
        && !problems.fromEnv(consul.get("tokenFile").path())) {
      consul.get("tokenFile").problem("token and tokenFile are exclusive: give one");
    }
    Optional<String> datacenter = consul.get("datacenter").text();
    Optional<ConsistencyMode> consistency = enumValue(consul.get("consistency"), ConsistencyMode.class);
    Optional<Duration> maxStale = consul.get("maxStale").duration();
    Optional<Integer> maxConnections = consul.get("maxConnections").integer();
    Optional<Duration> blockingWait = consul.get("blockingWait").duration();
    Field rateLimit = consul.get("rateLimit");
    rateLimit.checkMapping();
    Optional<Integer> burst = rateLimit.get("burst").integer();
    Optional<Duration> refill = rateLimit.get("refill").duration();
    Optional<Duration> budget = staleness.get("budget").duration();
    Optional<StalenessMode> mode = enumValue(staleness.get("mode"), StalenessMode.class);
    Optional<Duration> startBudget = site.get("startBudget").duration();
    if (problems.size() > before) {
      return Optional.empty(); // the bridge would only repeat (or hide) what the file already got wrong
    }

    SiteConfig.Builder b = SiteConfig.builder(id, region.orElse(null)).addresses(addresses);
    datacenter.ifPresent(b::datacenter);
    consistency.ifPresent(b::consistency);
    maxStale.ifPresent(b::maxStale);
    maxConnections.ifPresent(b::maxConnections);
    blockingWait.ifPresent(b::blockingWait);
    startBudget.ifPresent(b::startBudget);
    SiteConfig defaults = SiteConfig.builder("x", "x").address("127.0.0.1:8500").build();
    try {
      if (burst.isPresent() || refill.isPresent()) {
        b.rateLimit(new WatchRateLimit(burst.orElse(defaults.rateLimit().burst()), refill.orElse(defaults.rateLimit().refill())));
      }
    } catch (ConsulConfigException e) {
      report(e, p, env, problems);
      return Optional.empty();
    }
    b.staleness(budget.orElse(defaults.stalenessBudget()), mode.orElse(defaults.stalenessMode()));
    try {
      SiteConfig config;
      if (env.isEmpty()) {
        token.ifPresent(b::token);
        tokenFile.ifPresent(b::tokenFile);
        config = b.tls(new TlsSettings(caFile, certFile, keyFile, serverName)).build();
      } else {
        config = withEnv(b, env, addresses, token, tokenFile, caFile, certFile, keyFile, serverName);
      }
      checkReadable(config, p, env, problems);
      return problems.size() > before ? Optional.empty() : Optional.of(config);
    } catch (ConsulConfigException e) {
      report(e, p, env, problems);
      return Optional.empty();
    }
  }

  /**
   * The site's Consul variables over the file: each variable set replaces its key (a token variable replaces both token
   * keys). {@code fromEnv} needs an address; without CONSUL_HTTP_ADDR it gets the file's first one and the file's full
   * list is restored afterwards, in the scheme {@code fromEnv} settled on (CONSUL_HTTP_SSL).
   */
  private static SiteConfig withEnv(SiteConfig.Builder b, EnvOverrides.SiteEnv env, List<URI> addresses,
      Optional<String> token, Optional<Path> tokenFile, Optional<Path> caFile, Optional<Path> certFile,
      Optional<Path> keyFile, Optional<String> serverName) {
    Map<String, String> merged = new HashMap<>();
    boolean envAddress = env.values().containsKey("CONSUL_HTTP_ADDR");
    if (!addresses.isEmpty()) {
      URI first = addresses.get(0);
      merged.put("CONSUL_HTTP_ADDR", env.values().containsKey("CONSUL_HTTP_SSL")
          ? first.getHost() + ":" + first.getPort() : first.toString());
    }
    if (!env.values().containsKey("CONSUL_HTTP_TOKEN") && !env.values().containsKey("CONSUL_HTTP_TOKEN_FILE")) {
      token.ifPresent(t -> merged.put("CONSUL_HTTP_TOKEN", t));
      tokenFile.ifPresent(f -> merged.put("CONSUL_HTTP_TOKEN_FILE", f.toString()));
    }
    caFile.ifPresent(f -> merged.put("CONSUL_CACERT", f.toString()));
    certFile.ifPresent(f -> merged.put("CONSUL_CLIENT_CERT", f.toString()));
    keyFile.ifPresent(f -> merged.put("CONSUL_CLIENT_KEY", f.toString()));
    serverName.ifPresent(n -> merged.put("CONSUL_TLS_SERVER_NAME", n));
    merged.putAll(env.values());
    SiteConfig config = SiteConfig.fromEnv(b, merged);
    if (envAddress || addresses.size() <= 1) {
      return config;
    }
    String scheme = config.addresses().get(0).getScheme();
    return b.addresses(addresses.stream().map(a -> URI.create(scheme + "://" + a.getHost() + ":" + a.getPort())).toList())
        .build();
  }

  /** A token file or a TLS file that cannot be read now would fail the first request: refuse it at load. */
  private static void checkReadable(SiteConfig c, String sitePath, EnvOverrides.SiteEnv env, Problems problems) {
    Map<String, Optional<Path>> files = new java.util.LinkedHashMap<>();
    files.put("tokenFile", c.tokenFileInUse());
    files.put("tls.caFile", c.tls().caFile());
    files.put("tls.clientCert", c.tls().clientCert());
    files.put("tls.clientKey", c.tls().clientKey());
    files.forEach((field, file) -> file.ifPresent(f -> {
      if (!Files.isReadable(f)) {
        add(problems, sitePath, field, "cannot read " + f, env);
      }
    }));
  }

  private static void report(ConsulConfigException e, String sitePath, EnvOverrides.SiteEnv env, Problems problems) {
    String field = e.field();
    String problem = e.getMessage().substring(Math.min(e.getMessage().length(), field.length() + 2));
    int cut = field.startsWith("sites.") ? field.indexOf('.', "sites.".length()) : -1;
    add(problems, sitePath, cut > 0 ? field.substring(cut + 1) : field, problem, env);
  }

  private static void add(Problems problems, String sitePath, String bridgeField, String problem, EnvOverrides.SiteEnv env) {
    String base = bridgeField.replaceAll("\\[\\d+]$", "");
    String index = bridgeField.substring(base.length());
    String[] mapped = BRIDGE_FIELDS.get(base);
    String path = sitePath + "." + (mapped != null ? mapped[0] + index : "consul." + bridgeField);
    String var = mapped == null || mapped[1] == null ? null : env.sources().get(mapped[1]);
    problems.add(path, var == null || problems.fromEnv(path) ? problem : problem + " (set by " + var + ")");
  }

  private static <E extends Enum<E>> Optional<E> enumValue(Field f, Class<E> type) {
    return f.text().flatMap(v -> {
      try {
        return Optional.of(Enum.valueOf(type, v.strip().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        List<String> names = java.util.Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
        f.problem("must be one of " + String.join(", ", names) + ", was \"" + v + "\"");
        return Optional.empty();
      }
    });
  }
}
