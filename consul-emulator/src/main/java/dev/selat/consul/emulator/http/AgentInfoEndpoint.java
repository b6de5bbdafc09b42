package dev.selat.consul.emulator.http;

import dev.selat.consul.emulator.Version;
import dev.selat.consul.emulator.acl.Access;
import dev.selat.consul.emulator.acl.Resource;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The agent's identity: self, members, host, version, Connect CA roots, tokens, join/leave no-ops. */
final class AgentInfoEndpoint {
  private final Site site;

  AgentInfoEndpoint(Site site) {
    this.site = site;
  }

  void routes(Router r) {
    r.get("/v1/agent/self", this::self);
    r.get("/v1/agent/members", c -> {
      c.require(Resource.NODE, site.agent().nodeName(), Access.READ);
      return Reply.json(List.of(member()));
    });
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
    config.put("Partition", "");
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
    out.put("Stats", Map.of("consul", Map.of("server", "true", "leader", "true", "known_datacenters", "1")));
    out.put("Meta", site.agent().self().meta());
    return Reply.json(out);
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
