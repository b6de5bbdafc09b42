package dev.selat.consul;

import static java.util.Objects.requireNonNull;

import dev.selat.common.ConsulTokens;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How to watch one site's Consul. Validated on construction: every error names its field. {@link #toString} never shows
 * the token.
 *
 * <p>Leadership: every answer's {@code X-Consul-KnownLeader} and {@code X-Consul-LastContact} are checked. An answer
 * from a server that knows no leader, or (with {@link ConsistencyMode#STALE} reads) from a follower whose last contact
 * with its leader is longer ago than {@code maxStale}, is used but makes the site's data stale (kept, not dropped; its
 * staleness budget runs) until an answer from a server in touch with its leader arrives.
 *
 * <p>Token: {@code token} and {@code tokenFile} are this configuration's own; {@code tokenEnv} holds the
 * {@code CONSUL_HTTP_TOKEN} and {@code CONSUL_HTTP_TOKEN_FILE} that {@link #fromEnv} saw. Which one is sent is decided
 * by {@link ConsulTokens}, the rule every Selat module shares (a token file wins over a token, as in Consul).
 *
 * <p>Connections: at most {@code maxConnections} HTTP connections to this site's Consul (per client address, which is
 * what Consul's {@code limits.http_max_conns_per_client}, default 200, counts): two long-lived ones for the service-list
 * and health-state watches, one per KV prefix watch, and the rest for fetching changed services.
 */
public record SiteConfig(
    String siteId,
    String region,
    List<URI> addresses,
    Optional<String> datacenter,
    Optional<String> token,
    Optional<Path> tokenFile,
    Map<String, String> tokenEnv,
    TlsSettings tls,
    ConsistencyMode consistency,
    Duration maxStale,
    ServiceSelector selector,
    Duration stalenessBudget,
    StalenessMode stalenessMode,
    Duration startBudget,
    Duration blockingWait,
    WatchRateLimit rateLimit,
    int maxConnections,
    Duration backoffBase,
    Duration backoffCap) {

  private static final Pattern SITE_ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  /** Consul caps a blocking wait at 10 minutes. */
  private static final Duration MAX_WAIT = Duration.ofMinutes(10);
  /** The two catalog watches plus one fetch. */
  static final int MIN_CONNECTIONS = 3;

  public SiteConfig {
    requireNonNull(siteId, "siteId");
    if (!SITE_ID.matcher(siteId).matches()) {
      throw new ConsulConfigException("siteId", "must be lowercase letters, digits and '-' (at most 63), was '" + siteId + "'");
    }
    String f = "sites." + siteId + ".";
    if (region == null || region.isBlank()) {
      throw new ConsulConfigException(f + "region", "is required");
    }
    if (addresses == null || addresses.isEmpty()) {
      throw new ConsulConfigException(f + "addresses", "at least one Consul HTTP address is required");
    }
    addresses = List.copyOf(addresses);
    for (int i = 0; i < addresses.size(); i++) {
      URI a = addresses.get(i);
      if (!("http".equals(a.getScheme()) || "https".equals(a.getScheme())) || a.getHost() == null || a.getPort() < 0) {
        throw new ConsulConfigException(f + "addresses[" + i + "]", "must be http(s)://host:port, was '" + a + "'");
      }
    }
    requireNonNull(datacenter, "datacenter");
    if (datacenter.filter(String::isBlank).isPresent()) {
      throw new ConsulConfigException(f + "datacenter", "must not be blank");
    }
    requireNonNull(token, "token");
    if (token.filter(String::isBlank).isPresent()) {
      throw new ConsulConfigException(f + "token", "must not be blank");
    }
    requireNonNull(tokenFile, "tokenFile");
    tokenEnv = tokenVariables(requireNonNull(tokenEnv, "tokenEnv"));
    requireNonNull(tls, "tls");
    requireNonNull(consistency, "consistency");
    positive(f + "maxStale", maxStale);
    requireNonNull(selector, "selector");
    positive(f + "stalenessBudget", stalenessBudget);
    requireNonNull(stalenessMode, "stalenessMode");
    positive(f + "startBudget", startBudget);
    positive(f + "blockingWait", blockingWait);
    if (blockingWait.compareTo(MAX_WAIT) > 0) {
      throw new ConsulConfigException(f + "blockingWait", "Consul caps a blocking wait at 10m, was " + blockingWait);
    }
    requireNonNull(rateLimit, "rateLimit");
    if (maxConnections < MIN_CONNECTIONS) {
      throw new ConsulConfigException(f + "maxConnections", "must be >= " + MIN_CONNECTIONS + ", was " + maxConnections);
    }
    positive(f + "backoffBase", backoffBase);
    positive(f + "backoffCap", backoffCap);
    if (backoffCap.compareTo(backoffBase) < 0) {
      throw new ConsulConfigException(f + "backoffCap", "must be >= backoffBase");
    }
    if (addresses.stream().anyMatch(a -> "http".equals(a.getScheme())) && tls.isConfigured()) {
      throw new ConsulConfigException(f + "tls", "is configured but an address uses http://");
    }
  }

  private static void positive(String field, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new ConsulConfigException(field, "must be a positive duration, was " + d);
    }
  }

  public static Builder builder(String siteId, String region) {
    return new Builder(siteId, region);
  }

  /**
   * The token to send, by {@link ConsulTokens#resolve} over this configuration's token, token file and token variables;
   * a file is read now, so that a rotated one is picked up on restart.
   *
   * @throws ConsulConfigException naming {@code sites.<id>.tokenFile} or {@code CONSUL_HTTP_TOKEN_FILE} and the file
   */
  public Optional<String> resolveToken() {
    try {
      return ConsulTokens.resolve(token, tokenFile, tokenEnv);
    } catch (ConsulTokens.TokenFileException e) {
      throw new ConsulConfigException(e.fromEnvironment() ? ConsulTokens.TOKEN_FILE_VARIABLE : "sites." + siteId + ".tokenFile",
          e.problem());
    }
  }

  /** The token file {@link #resolveToken} reads, if any: {@code tokenFile}, else {@code CONSUL_HTTP_TOKEN_FILE}. */
  public Optional<Path> tokenFileInUse() {
    return ConsulTokens.tokenFile(tokenFile, tokenEnv);
  }

  private static Map<String, String> tokenVariables(Map<String, String> env) {
    Map<String, String> kept = new java.util.TreeMap<>();
    for (String name : List.of(ConsulTokens.TOKEN_VARIABLE, ConsulTokens.TOKEN_FILE_VARIABLE)) {
      String v = env.get(name);
      if (v != null && !v.isBlank()) {
        kept.put(name, v.strip());
      }
    }
    return java.util.Collections.unmodifiableMap(kept);
  }

  /**
   * Builds the config of a single site from Consul's standard environment variables, over {@code base}'s other settings.
   * The token variables are kept beside {@code base}'s own token and token file, for {@link #resolveToken}.
   */
  public static SiteConfig fromEnv(Builder base, Map<String, String> env) {
    String addr = env.get("CONSUL_HTTP_ADDR");
    if (addr == null || addr.isBlank()) {
      throw new ConsulConfigException("CONSUL_HTTP_ADDR", "is not set");
    }
    boolean ssl = Boolean.parseBoolean(env.getOrDefault("CONSUL_HTTP_SSL", "false"));
    base.addresses(List.of(parseAddress("CONSUL_HTTP_ADDR", addr.strip(), ssl)));
    base.tokenEnv = tokenVariables(env);
    TlsSettings tls = new TlsSettings(
        optional(env, "CONSUL_CACERT").map(Path::of),
        optional(env, "CONSUL_CLIENT_CERT").map(Path::of),
        optional(env, "CONSUL_CLIENT_KEY").map(Path::of),
        optional(env, "CONSUL_TLS_SERVER_NAME"));
    return base.tls(tls).build();
  }

  private static Optional<String> optional(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
  }

  /** Parses {@code http://h:p}, {@code https://h:p} or a bare {@code h:p} (http, unless {@code ssl}), as Consul's CLI does. */
  static URI parseAddress(String field, String value, boolean ssl) {
    String withScheme = value.contains("://") ? value : (ssl ? "https://" : "http://") + value;
    URI uri;
    try {
      uri = URI.create(withScheme);
    } catch (IllegalArgumentException e) {
      throw new ConsulConfigException(field, "not an address: '" + value + "'");
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new ConsulConfigException(field, "scheme must be http or https, was '" + uri.getScheme() + "'");
    }
    if (uri.getHost() == null) {
      throw new ConsulConfigException(field, "no host in '" + value + "'");
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 8501 : 8500);
    return URI.create(uri.getScheme() + "://" + uri.getHost() + ":" + port);
  }

  @Override
  public String toString() {
    return "SiteConfig[siteId=" + siteId + ", region=" + region + ", addresses=" + addresses + ", datacenter=" + datacenter
        + ", token=" + token.map(t -> "<redacted>").orElse("<none>") + ", tokenFile=" + tokenFile
        + ", tokenEnv=" + tokenEnv.keySet() + ", tls=" + tls
        + ", consistency=" + consistency + ", maxStale=" + maxStale + ", selector=" + selector + ", stalenessBudget=" + stalenessBudget
        + ", stalenessMode=" + stalenessMode + ", startBudget=" + startBudget + ", blockingWait=" + blockingWait + ", rateLimit=" + rateLimit
        + ", maxConnections=" + maxConnections + ", backoff=" + backoffBase + ".." + backoffCap + "]";
  }

  /**
   * Defaults: stale reads off, max stale 10s (twice raft's heartbeat timeout under Consul's default raft_multiplier of 5;
   * a healthy follower's last contact is milliseconds), staleness budget 10m in FREEZE, start budget 30s, wait 60s, 16
   * connections, backoff 1s..60s.
   */
  public static final class Builder {
    private final String siteId;
    private final String region;
    private List<URI> addresses = List.of();
    private Optional<String> datacenter = Optional.empty();
    private Optional<String> token = Optional.empty();
    private Optional<Path> tokenFile = Optional.empty();
    private Map<String, String> tokenEnv = Map.of();
    private TlsSettings tls = TlsSettings.NONE;
    private ConsistencyMode consistency = ConsistencyMode.DEFAULT;
    private Duration maxStale = Duration.ofSeconds(10);
    private ServiceSelector selector = ServiceSelector.ALL;
    private Duration stalenessBudget = Duration.ofMinutes(10);
    private StalenessMode stalenessMode = StalenessMode.FREEZE;
    private Duration startBudget = Duration.ofSeconds(30);
    private Duration blockingWait = Duration.ofSeconds(60);
    private WatchRateLimit rateLimit = WatchRateLimit.DEFAULT;
    private int maxConnections = 16;
    private Duration backoffBase = Duration.ofSeconds(1);
    private Duration backoffCap = Duration.ofSeconds(60);

    private Builder(String siteId, String region) {
      this.siteId = siteId;
      this.region = region;
    }

    public Builder addresses(List<URI> v) { addresses = v; return this; }
    public Builder address(String v) { addresses = List.of(parseAddress("address", v, false)); return this; }
    public Builder datacenter(String v) { datacenter = Optional.of(v); return this; }
    public Builder token(String v) { token = Optional.of(v); return this; }
    public Builder tokenFile(Path v) { tokenFile = Optional.of(v); return this; }
    public Builder tls(TlsSettings v) { tls = v; return this; }
    public Builder consistency(ConsistencyMode v) { consistency = v; return this; }
    /** With stale reads: a follower out of contact with its leader for longer than this makes the data stale. */
    public Builder maxStale(Duration v) { maxStale = v; return this; }
    public Builder selector(ServiceSelector v) { selector = v; return this; }
    public Builder staleness(Duration budget, StalenessMode mode) { stalenessBudget = budget; stalenessMode = mode; return this; }
    public Builder startBudget(Duration v) { startBudget = v; return this; }
    public Builder blockingWait(Duration v) { blockingWait = v; return this; }
    public Builder rateLimit(WatchRateLimit v) { rateLimit = v; return this; }
    public Builder maxConnections(int v) { maxConnections = v; return this; }
    public Builder backoff(Duration base, Duration cap) { backoffBase = base; backoffCap = cap; return this; }

    public SiteConfig build() {
      return new SiteConfig(siteId, region, addresses, datacenter, token, tokenFile, tokenEnv, tls, consistency, maxStale,
          selector, stalenessBudget, stalenessMode, startBudget, blockingWait, rateLimit, maxConnections, backoffBase, backoffCap);
    }
  }
}
