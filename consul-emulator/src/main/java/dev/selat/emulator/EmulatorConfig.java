package dev.selat.emulator;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * An emulator's configuration, field by field as the consul agent config keys. {@code dataDir}
 * absent means -dev (memory only); {@code httpPort} 0 picks a free port, {@code httpsPort} -1 is off;
 * {@code kvMaxValueSize} is limits.kv_max_value_size, {@code nodeMeta} node_meta, {@code connectEnabled}
 * connect.enabled (on by default, as in -dev, so the Connect CA root is served).
 */
public record EmulatorConfig(
    String nodeName,
    String nodeId,
    String datacenter,
    String bindAddr,
    String clientAddr,
    int httpPort,
    int httpsPort,
    Optional<Path> dataDir,
    Acl acl,
    Tls tls,
    int httpMaxConnsPerClient,
    long kvMaxValueSize,
    Map<String, String> nodeMeta,
    boolean connectEnabled) {

  /** ACL settings: acl.enabled, acl.default_policy, acl.tokens.initial_management. */
  public record Acl(boolean enabled, String defaultPolicy, Optional<String> initialManagementToken) {
    public static final Acl DISABLED = new Acl(false, "allow", Optional.empty());

    public Acl {
      if (!"allow".equals(defaultPolicy) && !"deny".equals(defaultPolicy)) {
        throw new IllegalArgumentException("acl.default_policy must be \"allow\" or \"deny\", got \"" + defaultPolicy + "\"");
      }
      Objects.requireNonNull(initialManagementToken, "initialManagementToken");
    }
  }

  /** TLS: cert_file, key_file, ca_file (PEM) and verify_incoming. */
  public record Tls(Optional<Path> certFile, Optional<Path> keyFile, Optional<Path> caFile, boolean verifyIncoming) {
    public static final Tls NONE = new Tls(Optional.empty(), Optional.empty(), Optional.empty(), false);

    public boolean configured() {
      return certFile.isPresent() && keyFile.isPresent();
    }
  }

  public EmulatorConfig {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(datacenter, "datacenter");
    if (datacenter.isBlank() || !datacenter.matches("[a-zA-Z0-9_-]+")) {
      throw new IllegalArgumentException("datacenter must be alphanumerics, '-' or '_', got \"" + datacenter + "\"");
    }
    if (nodeName.isBlank()) {
      throw new IllegalArgumentException("node_name must not be empty");
    }
    if (httpPort < 0 || httpPort > 65535) {
      throw new IllegalArgumentException("ports.http out of range: " + httpPort);
    }
    if (httpsPort < -1 || httpsPort > 65535) {
      throw new IllegalArgumentException("ports.https out of range: " + httpsPort);
    }
    if (httpMaxConnsPerClient < 1) {
      throw new IllegalArgumentException("limits.http_max_conns_per_client must be positive");
    }
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(acl, "acl");
    Objects.requireNonNull(tls, "tls");
    nodeMeta = nodeMeta == null ? Map.of() : Map.copyOf(nodeMeta);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.nodeName = nodeName;
    b.nodeId = nodeId;
    b.datacenter = datacenter;
    b.bindAddr = bindAddr;
    b.clientAddr = clientAddr;
    b.httpPort = httpPort;
    b.httpsPort = httpsPort;
    b.dataDir = dataDir;
    b.acl = acl;
    b.tls = tls;
    b.httpMaxConnsPerClient = httpMaxConnsPerClient;
    b.kvMaxValueSize = kvMaxValueSize;
    b.nodeMeta = nodeMeta;
    b.connectEnabled = connectEnabled;
    return b;
  }

  /** Defaults as consul agent -dev: dc1, 127.0.0.1, a free HTTP port, HTTPS off, ACLs off. */
  public static final class Builder {
    private String nodeName = "selat-emulator";
    private String nodeId = UUID.randomUUID().toString();
    private String datacenter = "dc1";
    private String bindAddr = "127.0.0.1";
    private String clientAddr = "127.0.0.1";
    private int httpPort = 0;
    private int httpsPort = -1;
    private Optional<Path> dataDir = Optional.empty();
    private Acl acl = Acl.DISABLED;
    private Tls tls = Tls.NONE;
    private int httpMaxConnsPerClient = 200;
    private long kvMaxValueSize = 512 * 1024;
    private Map<String, String> nodeMeta = Map.of();
    private boolean connectEnabled = true;

    public Builder nodeName(String v) { nodeName = v; return this; }
    public Builder nodeId(String v) { nodeId = v; return this; }
    public Builder datacenter(String v) { datacenter = v; return this; }
    public Builder bindAddr(String v) { bindAddr = v; return this; }
    public Builder clientAddr(String v) { clientAddr = v; return this; }
    public Builder httpPort(int v) { httpPort = v; return this; }
    public Builder httpsPort(int v) { httpsPort = v; return this; }
    public Builder dataDir(Path v) { dataDir = Optional.ofNullable(v); return this; }
    public Builder acl(Acl v) { acl = v; return this; }
    public Builder tls(Tls v) { tls = v; return this; }
    public Builder httpMaxConnsPerClient(int v) { httpMaxConnsPerClient = v; return this; }
    public Builder kvMaxValueSize(long v) { kvMaxValueSize = v; return this; }
    public Builder nodeMeta(Map<String, String> v) { nodeMeta = v; return this; }
    public Builder connectEnabled(boolean v) { connectEnabled = v; return this; }

    public EmulatorConfig build() {
      return new EmulatorConfig(nodeName, nodeId, datacenter, bindAddr, clientAddr, httpPort, httpsPort, dataDir,
          acl, tls, httpMaxConnsPerClient, kvMaxValueSize, nodeMeta, connectEnabled);
    }
  }
}
