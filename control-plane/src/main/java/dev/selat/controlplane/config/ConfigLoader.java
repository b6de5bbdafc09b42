package dev.selat.controlplane.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.selat.consul.SiteConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Loads the control plane's YAML configuration with its {@code SELAT_*} environment overrides (see {@link EnvOverrides})
 * into a {@link SelatConfig}, all or nothing: either every field is valid, or a {@link ConfigException} lists every
 * problem found, each with its field path. Stateless and thread-safe.
 */
public final class ConfigLoader {
  private static final Pattern LINK_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final YAMLMapper YAML = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private ConfigLoader() {}

  /** Reads {@code file}, applies the overrides in {@code env} (pass {@code System.getenv()}), validates. */
  public static SelatConfig load(Path file, Map<String, String> env) {
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file.toString(), List.of(new ConfigException.Problem(file.toString(), "cannot read: " + e)));
    }
    return load(yaml, file.toString(), env);
  }

  /** As {@link #load(Path, Map)}, from YAML text; {@code source} names it in the message. */
  public static SelatConfig load(String yaml, String source, Map<String, String> env) {
    JsonNode tree;
    try {
      tree = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new ConfigException(source, List.of(syntaxProblem(e)));
    }
    Map<String, String> origins = new HashMap<>();
    Problems problems = new Problems(origins);
    ObjectNode root;
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      root = JsonNodeFactory.instance.objectNode();
    } else if (tree instanceof ObjectNode o) {
      root = o;
    } else {
      problems.add("(root)", "must be a mapping with sites, links, routing, latency and ports");
      throw new ConfigException(source, problems.list());
    }
    EnvOverrides env2 = EnvOverrides.apply(root, env, origins);
    env2.problems().forEach(p -> problems.add(p.field(), p.message()));
    Optional<SelatConfig> config = new Reader(problems, env2).read(new Field(root, "", Schema.ROOT, problems));
    if (!problems.isEmpty() || config.isEmpty()) {
      throw new ConfigException(source, problems.list());
    }
    return config.get();
  }

  /** A syntax error by line and column; SnakeYAML's own text quotes the offending line, which may hold a token: not shown. */
  private static ConfigException.Problem syntaxProblem(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String where = at == null ? "(yaml)" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
    String what = e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblem() != null
        ? m.getProblem()
        : e.getOriginalMessage().lines().findFirst().orElse("invalid YAML");
    return new ConfigException.Problem(where, "YAML syntax error: " + what);
  }

  /** One load's walk over the tree. */
  private static final class Reader {
    private final Problems problems;
    private final EnvOverrides env;
    /** Every site id the file declares, valid or not, so that a link to a broken site is not also "unknown". */
    private final java.util.Set<String> declaredIds = new java.util.HashSet<>();

    Reader(Problems problems, EnvOverrides env) {
      this.problems = problems;
      this.env = env;
    }

    Optional<SelatConfig> read(Field root) {
      root.checkMapping();
      List<SiteSpec> sites = sites(root.get("sites"));
      List<LinkSpec> links = links(root.get("links"), sites);
      RoutingSettings routing = routing(root.get("routing"));
      LatencySettings latency = latency(root.get("latency"));
      Ports ports = ports(root.get("ports"));
      AdminSettings admin = admin(root.get("admin"));
      if (!problems.isEmpty() || routing == null || latency == null || ports == null || admin == null) {
        return Optional.empty();
      }
      try {
        return Optional.of(new SelatConfig(sites, links, routing, latency, ports, admin));
      } catch (IllegalArgumentException e) {
        problems.add("(config)", e.getMessage()); // a rule the walk above missed; still all or nothing
        return Optional.empty();
      }
    }

    private List<SiteSpec> sites(Field field) {
      List<Field> elements = field.elements();
      if (elements.isEmpty() && !problems.reportedAtOrBelow("sites")) {
        field.problem("at least one site is required");
      }
      List<SiteSpec> sites = new ArrayList<>();
      Map<String, String> seen = new HashMap<>();
      for (int i = 0; i < elements.size(); i++) {
        Field site = elements.get(i);
        if (!site.checkMapping()) {
          continue;
        }
        Optional<String> id = site.get("id").text();
        if (id.isEmpty()) {
          if (!site.get("id").present()) {
            site.get("id").problem("required");
          }
          continue;
        }
        declaredIds.add(id.get());
        String earlier = seen.putIfAbsent(id.get(), site.path());
        if (earlier != null) {
          site.get("id").problem("duplicate site id \"" + id.get() + "\" (also " + earlier + ")");
          continue;
        }
        Optional<SiteConfig> consul = ConsulSection.read(site, id.get(), env.siteEnv(i), problems);
        consul.ifPresent(c -> sites.add(new SiteSpec(c, Optional.empty())));
      }
      for (int i = 0; i < elements.size(); i++) {
        Field gateway = elements.get(i).get("gateway");
        Optional<String> id = elements.get(i).get("id").text();
        if (gateway.present() && id.isPresent()) {
          gateway(gateway, id.get()).ifPresent(g -> sites.replaceAll(s -> s.id().equals(id.get())
              ? new SiteSpec(s.consul(), Optional.of(g)) : s));
        }
      }
      return sites;
    }

    /** A site's gateway: read once every site id is known, since it names the client sites it serves. */
    private Optional<GatewaySpec> gateway(Field field, String siteId) {
      if (!field.checkMapping()) {
        return Optional.empty();
      }
      int before = problems.size();
      Optional<Endpoint> address = field.get("address").hostPort();
      Map<String, Endpoint> from = new java.util.TreeMap<>();
      for (Field entry : field.get("from").elements()) {
        if (!entry.checkMapping()) {
          continue;
        }
        Optional<String> client = entry.get("site").text();
        Optional<Endpoint> at = entry.get("address").hostPort();
        if (!entry.get("site").present()) {
          entry.get("site").problem("required: the client site that reaches the gateway at this address");
        }
        if (!entry.get("address").present()) {
          entry.get("address").problem("required: the gateway's host:port as reached from that site");
        }
        client.ifPresent(c -> {
          if (c.equals(siteId)) {
            entry.get("site").problem("the gateway's own site (\"" + c + "\"): its clients reach instances directly");
          } else if (!declaredIds.contains(c)) {
            entry.get("site").problem("unknown site \"" + c + "\"");
          } else if (at.isPresent() && from.putIfAbsent(c, at.get()) != null) {
            entry.get("site").problem("duplicate site \"" + c + "\"");
          }
        });
      }
      if (problems.size() != before) {
        return Optional.empty();
      }
      GatewaySpec spec = new GatewaySpec(address, from);
      List<String> unreached = declaredIds.stream().filter(c -> !c.equals(siteId))
          .filter(c -> spec.addressFor(c).isEmpty()).sorted().toList();
      if (!unreached.isEmpty()) {
        field.problem("no address for clients in " + unreached + ": give gateway.address, or a gateway.from entry per site");
        return Optional.empty();
      }
      return Optional.of(spec);
    }

    private List<LinkSpec> links(Field field, List<SiteSpec> sites) {
      List<LinkSpec> links = new ArrayList<>();
      Map<String, String> names = new HashMap<>();
      int before = problems.size();
      for (Field link : field.elements()) {
        if (!link.checkMapping()) {
          continue;
        }
        Optional<String> name = link.get("name").text();
        if (name.isEmpty() && !link.get("name").present()) {
          link.get("name").problem("required");
        }
        name.ifPresent(n -> {
          if (!LINK_NAME.matcher(n).matches()) {
            link.get("name").problem("must be lowercase letters, digits and '-' (at most 63), was \"" + n + "\"");
          } else {
            String earlier = names.putIfAbsent(n, link.path());
            if (earlier != null) {
              link.get("name").problem("duplicate link name \"" + n + "\" (also " + earlier + ")");
            }
          }
        });
        List<String> ends = new ArrayList<>();
        Field endsField = link.get("sites");
        List<Field> endFields = endsField.elements();
        if (endsField.present() && endsField.elements().size() != 2 && !problems.reportedAtOrBelow(endsField.path())) {
          endsField.problem("must name exactly two sites, has " + endFields.size());
        } else if (!endsField.present()) {
          endsField.problem("required: the two sites the link joins");
        }
        for (Field end : endFields) {
          end.text().ifPresent(s -> {
            if (!declaredIds.contains(s)) {
              end.problem("unknown site \"" + s + "\"");
            } else if (ends.contains(s)) {
              end.problem("same site as the other end (\"" + s + "\"); a link joins two distinct sites");
            } else {
              ends.add(s);
            }
          });
        }
        Field rtt = link.get("nominalRtt");
        Optional<Duration> nominal = rtt.duration(false);
        if (!rtt.present()) {
          rtt.problem("required: the link's nominal round-trip time, e.g. \"12ms\"");
        }
        if (problems.size() == before && ends.size() == 2 && name.isPresent() && nominal.isPresent()) {
          links.add(new LinkSpec(name.get(), ends.get(0), ends.get(1), nominal.get()));
        }
        before = problems.size();
      }
      if (problems.isEmpty() && sites.size() >= 2) {
        connectivity(sites, links);
      }
      return links;
    }

    /** Every site must reach every other; the sites outside the largest group (the first site's, on a tie) are named. */
    private void connectivity(List<SiteSpec> sites, List<LinkSpec> links) {
      List<String> ids = sites.stream().map(SiteSpec::id).toList();
      SiteGraph graph = SiteGraph.of(ids, links);
      String hub = ids.get(0);
      long hubGroup = -1;
      for (String candidate : ids) {
        long group = ids.stream().filter(id -> graph.connected(candidate, id)).count();
        if (group > hubGroup) {
          hub = candidate;
          hubGroup = group;
        }
      }
      for (int i = 0; i < ids.size(); i++) {
        String id = ids.get(i);
        String center = hub;
        if (!graph.connected(center, id)) {
          boolean linked = links.stream().anyMatch(l -> l.joins(id));
          problems.add("sites[" + i + "]", linked
              ? "site \"" + id + "\" has no path of links to \"" + center + "\"; every site must reach every other"
              : "no link connects site \"" + id + "\" to the other sites");
        }
      }
    }

    private RoutingSettings routing(Field f) {
      f.checkMapping();
      RoutingSettings d = RoutingSettings.DEFAULT;
      Field hysteresis = f.get("hysteresis");
      hysteresis.checkMapping();
      Duration tolerance = f.get("tolerance").duration(true).orElse(d.tolerance());
      Duration threshold = hysteresis.get("threshold").duration(true).orElse(d.hysteresisThreshold());
      Duration dwell = hysteresis.get("dwell").duration(true).orElse(d.hysteresisDwell());
      Field settleField = hysteresis.get("settle");
      Duration settle = settleField.duration(true).orElse(dwell.multipliedBy(RoutingSettings.SETTLE_PER_DWELL));
      if (settle.compareTo(dwell) < 0) {
        settleField.problem("must be >= dwell (" + dwell.toMillis() + "ms), was " + settle.toMillis() + "ms");
      }
      Field opf = f.get("overprovisioningFactor");
      int factor = opf.integer().orElse(d.overprovisioningFactor());
      if (factor < 100) {
        opf.problem("must be >= 100 (percent; Envoy's default is 140), was " + factor);
      }
      Duration debounce = f.get("debounce").duration(true).orElse(d.debounce());
      Field maxDelayField = f.get("maxDelay");
      Duration maxDelay = maxDelayField.duration(false).orElse(d.maxDelay());
      if (maxDelay.compareTo(debounce) < 0) {
        maxDelayField.problem("must be >= debounce (" + debounce.toMillis() + "ms), was " + maxDelay.toMillis() + "ms");
      }
      if (problems.reportedAtOrBelow(f.path())) {
        return null;
      }
      return new RoutingSettings(tolerance, threshold, dwell, settle, factor, debounce, maxDelay);
    }

    private LatencySettings latency(Field f) {
      f.checkMapping();
      LatencySettings d = LatencySettings.DEFAULT;
      String service = f.get("probeService").text().orElse(d.probeService());
      Duration staleAfter = f.get("staleAfter").duration(false).orElse(d.staleAfter());
      Duration staleBudget = f.get("staleBudget").duration(true).orElse(d.staleBudget());
      return problems.reportedAtOrBelow(f.path()) ? null : new LatencySettings(service, staleAfter, staleBudget);
    }

    private Ports ports(Field f) {
      f.checkMapping();
      Endpoint xds = endpoint(f.get("xds"), Ports.DEFAULT.xds());
      Endpoint admin = endpoint(f.get("admin"), Ports.DEFAULT.admin());
      sharesPort(f.get("admin"), admin, "ports.xds", xds);
      Optional<ApiPort> api = f.get("api").present() ? api(f.get("api")) : Optional.empty();
      api.ifPresent(a -> {
        sharesPort(f.get("api"), a.endpoint(), "ports.xds", xds);
        sharesPort(f.get("api"), a.endpoint(), "ports.admin", admin);
      });
      return xds == null || admin == null || problems.reportedAtOrBelow(f.path()) ? null : new Ports(xds, admin, api);
    }

    /** Reports {@code f}'s port when it is {@code other}'s on an overlapping address (0: ephemeral, never shared). */
    private void sharesPort(Field f, Endpoint e, String otherName, Endpoint other) {
      if (e != null && other != null && e.port() != 0 && e.port() == other.port()
          && (e.address().equals(other.address()) || e.address().equals("0.0.0.0") || other.address().equals("0.0.0.0"))) {
        f.get("port").problem("same port as " + otherName + " (" + e.port() + ")");
      }
    }

    /** {@code ports.api}: address and port (default 0.0.0.0:18001), and TLS from PEM files read now. */
    private Optional<ApiPort> api(Field f) {
      Endpoint endpoint = endpoint(f, ApiPort.DEFAULT);
      Field tls = f.get("tls");
      Optional<ApiPort.Tls> settings = Optional.empty();
      if (tls.present() && tls.checkMapping()) {
        Optional<Path> cert = pem(tls.get("certFile"), "CERTIFICATE", true);
        Optional<Path> key = pem(tls.get("keyFile"), "PRIVATE KEY", true);
        Optional<Path> ca = pem(tls.get("clientCaFile"), "CERTIFICATE", false);
        if (cert.isPresent() && key.isPresent()) {
          settings = Optional.of(new ApiPort.Tls(cert.get(), key.get(), ca));
        }
      }
      return endpoint == null ? Optional.empty() : Optional.of(new ApiPort(endpoint, settings));
    }

    /**
     * A PEM file named by {@code f}: readable, with a {@code -----BEGIN <block>-----} ("PRIVATE KEY": PKCS#8, what
     * gRPC reads). Empty, and reported, when it is not; empty when absent and not {@code required}.
     */
    private Optional<Path> pem(Field f, String block, boolean required) {
      Optional<String> file = f.text();
      if (file.isEmpty()) {
        if (required && !f.present()) {
          f.problem("required with tls");
        }
        return Optional.empty();
      }
      String text;
      try {
        text = Files.readString(Path.of(file.get()));
      } catch (IOException | RuntimeException e) {
        f.problem("cannot read " + file.get());
        return Optional.empty();
      }
      if (!text.contains("-----BEGIN " + block + "-----")) {
        f.problem("no \"BEGIN " + block + "\" PEM block in " + file.get()
            + (block.equals("PRIVATE KEY") ? " (an unencrypted PKCS#8 key: openssl pkcs8 -topk8 -nocrypt)" : ""));
        return Optional.empty();
      }
      return Optional.of(Path.of(file.get()));
    }

    /** The admin token, from {@code token} or {@code tokenFile} (read now, trimmed); never both. */
    private AdminSettings admin(Field f) {
      f.checkMapping();
      Optional<String> token = f.get("token").text().map(String::strip);
      Optional<String> file = f.get("tokenFile").text();
      if (token.isPresent() && file.isPresent()) {
        f.get("tokenFile").problem("token and tokenFile are exclusive: give one");
        return null;
      }
      if (file.isPresent()) {
        try {
          token = Optional.of(java.nio.file.Files.readString(java.nio.file.Path.of(file.get())).strip());
        } catch (java.io.IOException | RuntimeException e) {
          f.get("tokenFile").problem("cannot read " + file.get());
          return null;
        }
      }
      String where = file.isPresent() ? "tokenFile" : "token";
      if (token.isPresent() && token.get().length() < AdminSettings.MIN_TOKEN_LENGTH) {
        f.get(where).problem("the token must have at least " + AdminSettings.MIN_TOKEN_LENGTH + " characters"
            + (file.isPresent() ? " (in " + file.get() + ")" : ""));
        return null;
      }
      return problems.reportedAtOrBelow(f.path()) ? null : new AdminSettings(token);
    }

    private Endpoint endpoint(Field f, Endpoint d) {
      f.checkMapping();
      String address = f.get("address").text().orElse(d.address());
      Field portField = f.get("port");
      int port = portField.integer().orElse(d.port());
      if (port < 0 || port > 65535) {
        portField.problem("must be a port number 0..65535 (0: ephemeral), was " + port);
      }
      return problems.reportedAtOrBelow(f.path()) ? null : new Endpoint(address, port);
    }
  }
}
