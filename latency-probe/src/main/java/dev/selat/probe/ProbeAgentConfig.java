package dev.selat.probe;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The probe agent's configuration, validated: every error names its field. Read from YAML ({@link Draft}, the same
 * keys as the fields below), then overridden by command-line flags. The Consul token is not part of it: it is read
 * from {@code consul.tokenFile}, {@code CONSUL_HTTP_TOKEN_FILE} or {@code CONSUL_HTTP_TOKEN} by the rule every Selat
 * module shares ({@code dev.selat.common.ConsulTokens}: a token file wins over a token), and is never logged.
 *
 * @param paths the link or path of links to each peer site ({@code leased-line}, {@code vpn}, {@code leased-line+vpn})
 * @param defaultPath the path of a discovered site missing from {@code paths}
 * @param consul this site's Consul, where the agent registers itself when {@code register}
 * @param discover the Consul of every site in which to look up service {@code selat-probe}
 * @param discoverEvery how often to look up peers again
 */
public record ProbeAgentConfig(
    String siteId,
    String agentId,
    InetAddress bindAddress,
    InetAddress advertiseAddress,
    int probePort,
    int grpcPort,
    int metricsPort,
    Duration interval,
    List<StaticPeer> peers,
    Map<String, String> paths,
    String defaultPath,
    Optional<URI> consul,
    boolean register,
    List<URI> discover,
    Duration discoverEvery,
    Optional<Path> consulTokenFile,
    Set<String> allowedAgents) {

  public static final String SERVICE_NAME = "selat-probe";

  /** A peer given by address: its site and its probe port (UDP and TCP). */
  public record StaticPeer(String site, String address, int port) {}

  public ProbeAgentConfig {
    requireNonNull(siteId, "siteId");
    requireNonNull(agentId, "agentId");
    peers = List.copyOf(peers);
    paths = Map.copyOf(paths);
    discover = List.copyOf(discover);
    allowedAgents = Set.copyOf(allowedAgents);
    if (register && consul.isEmpty()) {
      throw new IllegalArgumentException("consul.address: required when consul.register is true");
    }
  }

  /** The path of links to a peer site. */
  public String pathTo(String site) {
    return paths.getOrDefault(site, defaultPath);
  }

  /** The YAML form; flags overwrite its fields before {@link #build()}. Unknown keys are errors. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class Draft {
    public String site;
    public String agentId;
    public String bindAddress = "127.0.0.1";
    public String advertiseAddress;
    public Integer probePort = 18300;
    public Integer grpcPort = 18301;
    public Integer metricsPort = 18302;
    public Long intervalMillis = 500L;
    public List<StaticPeerDraft> peers = new ArrayList<>();
    public Map<String, String> paths = new LinkedHashMap<>();
    public String defaultPath = "direct";
    public ConsulDraft consul = new ConsulDraft();
    public List<String> allowedAgents = new ArrayList<>();

    /**
     * A draft for an agent {@code <site>-probe} on loopback, with its probe, gRPC and metrics ports picked free and a
     * probe every {@code intervalMillis} (tests and the demo run several agents side by side).
     */
    public static Draft onLoopback(String site, long intervalMillis) {
      Draft draft = new Draft();
      draft.site = site;
      draft.agentId = site + "-probe";
      draft.probePort = 0;
      draft.grpcPort = 0;
      draft.metricsPort = 0;
      draft.intervalMillis = intervalMillis;
      return draft;
    }

    /** Adds a static peer in {@code site} at {@code address:port}, reached over the path named {@code path}. */
    public Draft staticPeer(String site, String address, int port, String path) {
      StaticPeerDraft peer = new StaticPeerDraft();
      peer.site = site;
      peer.address = address;
      peer.port = port;
      peers.add(peer);
      paths.put(site, path);
      return this;
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    public static final class StaticPeerDraft {
      public String site;
      public String address;
      public Integer port = 18300;
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    public static final class ConsulDraft {
      public String address;
      public Boolean register = false;
      public List<String> discover = new ArrayList<>();
      public Long discoverEveryMillis = 10_000L;
      public String tokenFile;
    }

    public static Draft fromYaml(Path file) {
      ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
      try {
        Draft draft = yaml.readValue(file.toFile(), Draft.class);
        return draft == null ? new Draft() : draft;
      } catch (IOException e) {
        throw new IllegalArgumentException("config file " + file + ": " + e.getMessage(), e);
      }
    }

    public ProbeAgentConfig build() {
      String siteId = ProbePacket.requireValidId(requireText(site, "site"), "site");
      String id = ProbePacket.requireValidId(agentId != null ? agentId : siteId + "-" + hostName(), "agentId");
      List<StaticPeer> staticPeers = new ArrayList<>();
      for (int i = 0; i < peers.size(); i++) {
        StaticPeerDraft p = peers.get(i);
        String field = "peers[" + i + "]";
        staticPeers.add(new StaticPeer(requireText(p.site, field + ".site"), requireText(p.address, field + ".address"),
            port(p.port, field + ".port", false)));
      }
      paths.forEach((peerSite, path) -> requireText(path, "paths." + peerSite));
      long interval = intervalMillis == null ? 0 : intervalMillis;
      if (interval <= 0) {
        throw new IllegalArgumentException("intervalMillis: must be > 0, got " + intervalMillis);
      }
      if (consul.discoverEveryMillis == null || consul.discoverEveryMillis <= 0) {
        throw new IllegalArgumentException(
            "consul.discoverEveryMillis: must be > 0, got " + consul.discoverEveryMillis);
      }
      InetAddress bind = address(bindAddress, "bindAddress");
      return new ProbeAgentConfig(siteId, id, bind,
          advertiseAddress == null ? bind : address(advertiseAddress, "advertiseAddress"),
          port(probePort, "probePort", true), port(grpcPort, "grpcPort", true), port(metricsPort, "metricsPort", true),
          Duration.ofMillis(interval), staticPeers, paths, requireText(defaultPath, "defaultPath"),
          Optional.ofNullable(consul.address).map(a -> uri(a, "consul.address")),
          Boolean.TRUE.equals(consul.register),
          consul.discover.stream().map(a -> uri(a, "consul.discover")).toList(),
          Duration.ofMillis(consul.discoverEveryMillis),
          Optional.ofNullable(consul.tokenFile).map(Path::of),
          Set.copyOf(allowedAgents));
    }

    private static String requireText(String value, String field) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(field + ": required");
      }
      return value;
    }

    private static int port(Integer value, String field, boolean zeroAllowed) {
      if (value == null || value < (zeroAllowed ? 0 : 1) || value > 65535) {
        throw new IllegalArgumentException(field + ": must be a port number, got " + value);
      }
      return value;
    }

    private static InetAddress address(String value, String field) {
      try {
        return InetAddress.getByName(requireText(value, field));
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(field + ": unknown host '" + value + "'", e);
      }
    }

    private static URI uri(String value, String field) {
      try {
        URI uri = URI.create(value.contains("://") ? value : "http://" + value);
        if (uri.getHost() == null) {
          throw new IllegalArgumentException(field + ": no host in '" + value + "'");
        }
        return uri;
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(field + ": not a URL '" + value + "'", e);
      }
    }

    private static String hostName() {
      try {
        return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
      } catch (UnknownHostException e) {
        return "probe";
      }
    }
  }
}
