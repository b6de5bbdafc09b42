package dev.selat.emulator.http;

import dev.selat.emulator.Version;
import dev.selat.emulator.acl.Access;
import dev.selat.emulator.acl.Resource;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The agent's identity: self, members, host, version, Connect CA roots, tokens, join/leave no-ops. */
final class AgentInfoEndpoint {
  /** The Envoy releases answered as supported (xdscommon.EnvoyVersions: one point release per major), the -dev gRPC port. */
  private static final List<String> ENVOY_VERSIONS = List.of("1.35.3", "1.34.7", "1.33.11", "1.32.14");
  private static final int GRPC_PORT = 8502;
  private final Site site;

  AgentInfoEndpoint(Site site) {
    this.site = site;
  }

  void routes(Router r) {
    r.get("/v1/agent/self", this::self);
    r.get("/v1/agent/members", this::members);
    r.get("/v1/agent/host", c -> {
      c.require(Resource.OPERATOR, "", Access.READ);
      return Reply.json(host(site.clock()));
    });
    r.get("/v1/agent/version", c -> Reply.json(Map.of("SHA", Version.REVISION, "BuildDate", Version.BUILD_DATE,
        "HumanVersion", Version.HUMAN, "FIPS", "")));
    r.get("/v1/agent/metrics", c -> Reply.json(metrics(site.clock())));
    r.get("/v1/agent/connect/ca/roots", c -> caRoots()
        .header("X-Consul-Index", "1").header("X-Consul-KnownLeader", "true").header("X-Consul-LastContact", "0"));
    r.put("/v1/agent/token/", c -> {
      c.require(Resource.AGENT, site.agent().nodeName(), Access.WRITE);
      Body.parse(c.body(), "AgentToken");
      return Reply.empty();
    });
    r.put("/v1/agent/join/", c -> Reply.empty());
    r.put("/v1/agent/leave", c -> Reply.empty());
    r.put("/v1/agent/force-leave/", c -> Reply.empty());
    r.put("/v1/agent/reload", c -> Reply.empty());
  }

  /**
   * LAN members, or with ?wan the WAN pool, where Consul's servers are named {@code <node>.<dc>}
   * and gossip on the serf WAN port (agent_endpoint.go AgentMembers).
   */
  private Reply members(Call c) {
    c.require(Resource.NODE, site.agent().nodeName(), Access.READ);
    String segment = c.param("segment", "");
    boolean wan = !c.param("wan", "").isEmpty();
    if (wan && !segment.isEmpty() && !segment.equals("_all")) {
      throw HttpError.badRequest("Cannot provide a segment with wan=true");
    }
    return Reply.json(List.of(wan ? wanMember() : member()));
  }

  private Map<String, Object> wanMember() {
    Map<String, Object> m = member();
    m.put("Name", site.agent().nodeName() + "." + site.dc());
    m.put("Port", 8302);
    return m;
  }

  /** Connect endpoints answer Consul's 400 when connect.enabled is false. */
  private Reply caRoots() {
    if (!site.config().connectEnabled()) {
      throw HttpError.badRequest("Connect must be enabled in order to use this endpoint");
    }
    return Reply.json(site.ca().roots());
  }

  private Reply self(Call c) {
    c.require(Resource.AGENT, site.agent().nodeName(), Access.READ);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("Datacenter", site.dc());
    config.put("PrimaryDatacenter", site.dc());
    config.put("NodeName", site.agent().nodeName());
    config.put("NodeID", site.agent().self().id());
    // Partition is omitempty and empty outside Consul Enterprise.
    config.put("Revision", Version.REVISION);
    config.put("Server", true);
    config.put("Version", Version.VERSION);
    config.put("BuildDate", Version.BUILD_DATE);
    Map<String, Object> debug = new LinkedHashMap<>();
    debug.put("Datacenter", site.dc());
    debug.put("NodeName", site.agent().nodeName());
    debug.put("ACLsEnabled", site.acls().enabled());
    debug.put("ACLDefaultPolicy", site.acls().defaultPolicy());
    debug.put("Emulator", Version.EMULATOR);
    debug.put("SerfAdvertiseAddrLAN", "tcp://" + site.config().bindAddr() + ":8301");
    debug.put("ConnectEnabled", site.config().connectEnabled());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("Config", config);
    out.put("DebugConfig", debug);
    out.put("Coord", Map.of("Vec", List.of(0, 0, 0, 0, 0, 0, 0, 0), "Error", 1.5, "Adjustment", 0, "Height", 1e-5));
    out.put("Member", member());
    out.put("Stats", stats());
    out.put("Meta", site.agent().self().meta());
    // A server with its gRPC port open (8502 in -dev) serves xDS and says so.
    Map<String, Object> xds = new LinkedHashMap<>();
    xds.put("SupportedProxies", Map.of("envoy", ENVOY_VERSIONS));
    xds.put("Port", GRPC_PORT);
    xds.put("Ports", Map.of("Plaintext", GRPC_PORT, "TLS", -1));
    out.put("xDS", xds);
    return Reply.json(out);
  }

  /** Agent.Stats(): per subsystem, string values only, as Consul reports them. */
  private Map<String, Object> stats() {
    String raftAddr = site.config().bindAddr() + ":8300";
    boolean leader = site.leader().knownLeader();
    Map<String, Object> consul = new LinkedHashMap<>();
    consul.put("acl", site.acls().enabled() ? "enabled" : "disabled");
    consul.put("bootstrap", "true");
    consul.put("known_datacenters", "1");
    consul.put("leader", String.valueOf(leader));
    consul.put("leader_addr", leader ? raftAddr : "");
    consul.put("server", "true");
    Map<String, Object> agent = new LinkedHashMap<>();
    agent.put("check_monitors", "0");
    agent.put("check_ttls", "0");
    agent.put("checks", "0");
    agent.put("services", "0");
    Map<String, Object> build = new LinkedHashMap<>();
    build.put("prerelease", "");
    build.put("revision", Version.REVISION);
    build.put("version", Version.VERSION);
    build.put("version_metadata", "");
    Map<String, Object> raft = new LinkedHashMap<>();
    raft.put("state", leader ? "Leader" : "Follower");
    raft.put("num_peers", "0");
    raft.put("last_contact", leader ? "0" : "never");
    Map<String, Object> runtime = new LinkedHashMap<>();
    runtime.put("arch", System.getProperty("os.arch"));
    runtime.put("os", System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT));
    runtime.put("version", "java" + Runtime.version());
    runtime.put("cpu_count", String.valueOf(Runtime.getRuntime().availableProcessors()));
    Map<String, Object> serfLan = new LinkedHashMap<>();
    serfLan.put("members", "1");
    serfLan.put("failed", "0");
    serfLan.put("left", "0");
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agent", agent);
    out.put("build", build);
    out.put("consul", consul);
    out.put("raft", raft);
    out.put("runtime", runtime);
    out.put("serf_lan", serfLan);
    out.put("serf_wan", new LinkedHashMap<>(serfLan));
    return out;
  }

  private Map<String, Object> member() {
    Map<String, Object> tags = new LinkedHashMap<>();
    tags.put("role", "consul");
    tags.put("dc", site.dc());
    tags.put("id", site.agent().self().id());
    tags.put("vsn", "2");
    tags.put("build", Version.VERSION + ":" + Version.REVISION);
    tags.put("port", "8300");
    tags.put("bootstrap", "1");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Name", site.agent().nodeName());
    m.put("Addr", site.config().bindAddr());
    m.put("Port", 8301);
    m.put("Tags", tags);
    m.put("Status", 1);
    m.put("ProtocolMin", 1);
    m.put("ProtocolMax", 5);
    m.put("ProtocolCur", 2);
    m.put("DelegateMin", 2);
    m.put("DelegateMax", 5);
    m.put("DelegateCur", 4);
    return m;
  }

  private static Map<String, Object> host(java.time.Clock clock) {
    Runtime rt = Runtime.getRuntime();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("Memory", Map.of("total", rt.maxMemory(), "free", rt.freeMemory()));
    out.put("CPU", List.of(Map.of("cores", rt.availableProcessors())));
    out.put("Host", Map.of("os", System.getProperty("os.name"), "kernelVersion", System.getProperty("os.version"),
        "uptime", ManagementFactory.getRuntimeMXBean().getUptime() / 1000));
    out.put("Disk", Map.of());
    out.put("CollectionTime", clock.millis() * 1_000_000L);
    out.put("Errors", null);
    return out;
  }

  private static Map<String, Object> metrics(java.time.Clock clock) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("Timestamp", clock.instant().toString());
    out.put("Gauges", List.of());
    out.put("Points", List.of());
    out.put("Counters", List.of());
    out.put("Samples", List.of());
    return out;
  }
}
