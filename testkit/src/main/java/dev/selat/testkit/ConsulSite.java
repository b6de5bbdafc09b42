package dev.selat.testkit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.awaitility.Awaitility;

/**
 * One Consul site for a test: consul-emulator in this JVM by default, the emulator as a process with a data dir when
 * {@link Options#process()} is set (so {@link #kill9()} is real), or a real {@code consul} when the environment variable
 * {@code SELAT_CONSUL_BINARY} names one. The helpers speak only Consul's HTTP API, so a test behaves the same on all three.
 *
 * <p>Not thread-safe: one test thread drives a site.
 */
public final class ConsulSite implements AutoCloseable {
  /** Names a real consul binary; when set, every site runs it instead of the emulator. */
  public static final String CONSUL_BINARY_ENV = "SELAT_CONSUL_BINARY";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  /** A check's status, as Consul spells it on the wire. */
  public enum Health {
    PASSING, WARNING, CRITICAL;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A TTL check registered with a service; its status changes only through {@link #setCheck}, until the TTL runs out. */
  public record Check(Duration ttl, Health initial) {
    public Check {
      requireNonNull(ttl, "ttl");
      requireNonNull(initial, "initial");
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("ttl: must be positive, got " + ttl);
      }
    }

    /** A check that stays as set for 10 minutes, longer than any test. */
    public static Check manual(Health initial) {
      return new Check(Duration.ofMinutes(10), initial);
    }
  }

  /** How to start a site. {@code httpPort} 0 picks a free port; {@code aclDefaultPolicy} present enables ACLs. */
  public record Options(String datacenter, String nodeName, int httpPort, boolean process,
      Optional<String> aclDefaultPolicy, String managementToken) {
    public Options {
      requireNonNull(datacenter, "datacenter");
      requireNonNull(nodeName, "nodeName");
      requireNonNull(aclDefaultPolicy, "aclDefaultPolicy");
      requireNonNull(managementToken, "managementToken");
      if (!datacenter.matches("[a-z0-9_-]+")) {
        throw new IllegalArgumentException("datacenter: lowercase letters, digits, '-' or '_' only, got \"" + datacenter + "\"");
      }
      if (httpPort < 0 || httpPort > 65535) {
        throw new IllegalArgumentException("httpPort: out of range: " + httpPort);
      }
      aclDefaultPolicy.filter(p -> !p.equals("allow") && !p.equals("deny")).ifPresent(p -> {
        throw new IllegalArgumentException("aclDefaultPolicy: must be \"allow\" or \"deny\", got \"" + p + "\"");
      });
    }

    public static Builder builder(String datacenter) {
      return new Builder(datacenter);
    }

    public static final class Builder {
      private final String datacenter;
      private String nodeName;
      private int httpPort;
      private boolean process;
      private Optional<String> aclDefaultPolicy = Optional.empty();
      private String managementToken = UUID.randomUUID().toString();

      private Builder(String datacenter) {
        this.datacenter = requireNonNull(datacenter, "datacenter");
        this.nodeName = datacenter + "-server";
      }

      public Builder nodeName(String v) { nodeName = v; return this; }
      public Builder httpPort(int v) { httpPort = v; return this; }
      /** Runs the emulator as its own process with a data dir, so kill9() and restart() are real. */
      public Builder process(boolean v) { process = v; return this; }
      /** Enables ACLs with this default policy ("allow" or "deny") and an initial management token. */
      public Builder acl(String defaultPolicy) { aclDefaultPolicy = Optional.of(defaultPolicy); return this; }
      public Builder managementToken(String v) { managementToken = v; return this; }

      public Options build() {
        return new Options(datacenter, nodeName, httpPort, process, aclDefaultPolicy, managementToken);
      }
    }
  }

  /**
   * How the site's server reports raft leadership to clients, a fault a real cluster shows when it loses quorum or a
   * follower is cut off from its leader. Healthy at start.
   */
  public interface LeaderFault {
    /**
     * As a server that lost its leader: default reads and writes answer 500 "No cluster leader"; {@code ?stale} reads
     * are served with {@code X-Consul-KnownLeader: false} and this {@code X-Consul-LastContact}.
     */
    void noLeader(Duration lastContact);

    /** As a follower that last heard from its leader {@code lastContact} ago, which {@code ?stale} reads report. */
    void staleFollower(Duration lastContact);

    void healthy();
  }

  private final Options options;
  private final SiteRuntime runtime;
  private final ConsulHttp http;

  private ConsulSite(Options options, SiteRuntime runtime) {
    this.options = options;
    this.runtime = runtime;
    this.http = new ConsulHttp(runtime.httpAddress(), managementToken());
  }

  /** Starts a site and waits until it has a leader and its own node, with its checks, in the catalog. */
  public static ConsulSite start(Options options) {
    requireNonNull(options, "options");
    Optional<Path> consul = Optional.ofNullable(System.getenv(CONSUL_BINARY_ENV)).filter(s -> !s.isBlank()).map(Path::of);
    consul.filter(p -> !Files.isExecutable(p)).ifPresent(p -> {
      throw new IllegalStateException(CONSUL_BINARY_ENV + ": no executable at " + p);
    });
    SiteRuntime runtime = consul.isPresent() || options.process()
        ? new ProcessSiteRuntime(options, consul)
        : new EmbeddedSiteRuntime(options);
    ConsulSite site = new ConsulSite(options, runtime);
    try {
      site.awaitReady();
    } catch (RuntimeException e) {
      runtime.stop();
      throw e;
    }
    return site;
  }

  public URI httpAddress() {
    return runtime.httpAddress();
  }

  public String datacenter() {
    return options.datacenter();
  }

  public String nodeName() {
    return options.nodeName();
  }

  /** The initial management token, when ACLs are enabled. */
  public Optional<String> managementToken() {
    return options.aclDefaultPolicy().map(p -> options.managementToken());
  }

  /** Consul's id for the single check registered with a service. */
  public static String serviceCheckId(String serviceId) {
    return "service:" + serviceId;
  }

  /** Registers a service instance on this site's agent; {@code check} may be null for none. */
  public void registerService(String name, String id, String address, int port, List<String> tags,
      Map<String, String> meta, Check check) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("Name", requireNonNull(name, "name"));
    body.put("ID", requireNonNull(id, "id"));
    body.put("Address", requireNonNull(address, "address"));
    body.put("Port", port);
    body.put("Tags", List.copyOf(tags));
    body.put("Meta", Map.copyOf(meta));
    if (check != null) {
      body.put("Check", Map.of("TTL", check.ttl().toSeconds() + "s", "Status", check.initial().wire()));
    }
    http.putJson("/v1/agent/service/register", body);
  }

  public void deregisterService(String id) {
    http.put("/v1/agent/service/deregister/" + ConsulHttp.encode(id), "");
  }

  /** Sets a TTL check's status, for instance {@code serviceCheckId("web-1")}. */
  public void setCheck(String checkId, Health status) {
    http.putJson("/v1/agent/check/update/" + ConsulHttp.encode(checkId),
        Map.of("Status", status.wire(), "Output", "set by ConsulSite"));
  }

  public void serviceMaintenance(String serviceId, boolean enable) {
    http.put("/v1/agent/service/maintenance/" + ConsulHttp.encode(serviceId) + "?enable=" + enable
        + "&reason=" + ConsulHttp.encode("set by ConsulSite"), "");
  }

  /** Writes a key; false when Consul refused it (it never does without cas or a session). */
  public boolean kvPut(String key, String value) {
    return Boolean.parseBoolean(http.put("/v1/kv/" + ConsulHttp.encode(key), value).trim());
  }

  public Optional<String> kvGet(String key) {
    return http.get("/v1/kv/" + ConsulHttp.encode(key) + "?raw");
  }

  public void kvDelete(String key) {
    http.delete("/v1/kv/" + ConsulHttp.encode(key));
  }

  /** A new token holding one new policy with these rules (HCL or JSON); its SecretID. Needs ACLs enabled. */
  public String createToken(String rules) {
    if (managementToken().isEmpty()) {
      throw new IllegalStateException("createToken: ACLs are not enabled on " + datacenter() + "; use Options.builder(..).acl(..)");
    }
    JsonNode policy = ConsulHttp.parse(http.putJson("/v1/acl/policy",
        Map.of("Name", "selat-test-" + UUID.randomUUID(), "Rules", requireNonNull(rules, "rules"))));
    JsonNode token = ConsulHttp.parse(http.putJson("/v1/acl/token",
        Map.of("Policies", List.of(Map.of("ID", policy.path("ID").asText())))));
    return token.path("SecretID").asText();
  }

  /**
   * The leadership fault knob of the emulator serving this site: present for an embedded emulator only (a real consul,
   * or the emulator as a process, cannot be told to lose its leader from here), so a test that needs it should
   * {@code assumeTrue(site.leaderFault().isPresent())}.
   */
  public Optional<LeaderFault> leaderFault() {
    return runtime.leaderFault();
  }

  /** SIGKILL, as a crash would; needs a process site. */
  public void kill9() {
    runtime.kill9();
  }

  /**
   * Starts the site again on the same port and data dir, and waits until it serves: a process site after kill9(); an
   * embedded site is stopped and started (its -dev state starts empty, as consul -dev's does).
   */
  public void restart() {
    runtime.restart();
    awaitReady();
  }

  @Override
  public void close() {
    runtime.stop();
  }

  private void awaitReady() {
    Awaitility.await("Consul site " + datacenter() + " at " + httpAddress())
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> !http.get("/v1/status/leader").orElse("\"\"").equals("\"\"")
            && http.get("/v1/health/node/" + ConsulHttp.encode(nodeName())).map(ConsulHttp::parse)
                .filter(checks -> checks.size() > 0).isPresent());
  }

  @Override
  public String toString() {
    return "ConsulSite[" + datacenter() + " at " + httpAddress() + ", " + runtime + "]";
  }
}
