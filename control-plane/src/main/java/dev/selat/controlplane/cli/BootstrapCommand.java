package dev.selat.controlplane.cli;

import dev.selat.controlplane.config.NodeMetadata;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code selatctl bootstrap}: prints an Envoy bootstrap (YAML) or, with {@code --grpc}, a gRPC xDS bootstrap (JSON). */
@Command(name = "bootstrap", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Prints the bootstrap of a proxy that Selat configures over ADS: an Envoy v3 bootstrap (YAML), or "
        + "with --grpc a gRPC xDS bootstrap (JSON) for GRPC_XDS_BOOTSTRAP."})
final class BootstrapCommand implements Runnable {
  /** Site ids, service names and node ids as Consul and the control plane's config spell them. */
  private static final Pattern SITE_ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  enum Role {
    sidecar, gateway
  }

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--site", required = true, paramLabel = "SITE", description = "The site the proxy runs in (a site id of the control plane's config).")
  String site;

  @Option(names = "--service", paramLabel = "NAME", description = "The service the proxy fronts.")
  String service;

  @Option(names = "--upstreams", split = ",", paramLabel = "NAME", description = "The services it calls, comma-separated (default: all).")
  List<String> upstreams = new ArrayList<>();

  @Option(names = "--delta", description = "Incremental xDS (DELTA_GRPC) instead of state of the world.")
  boolean delta;

  @Option(names = "--grpc", description = "A gRPC xDS bootstrap (JSON) for a proxyless grpc-java client instead of Envoy's.")
  boolean grpc;

  @Option(names = "--node-id", paramLabel = "ID", description = "Default: <service or role>-<site>-<short hostname>.")
  String nodeId;

  @Option(names = "--xds-address", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:18000", converter = HostPortConverter.class,
      description = "The control plane's xDS address (default: ${DEFAULT-VALUE}).")
  HostPort xdsAddress;

  @Option(names = "--outbound-port", paramLabel = "PORT", defaultValue = "15001", description = "Port of the outbound listener (default: ${DEFAULT-VALUE}).")
  int outboundPort;

  @Option(names = "--outbound-address", paramLabel = "ADDRESS", defaultValue = "127.0.0.1", description = "Address of the outbound listener (default: ${DEFAULT-VALUE}).")
  String outboundAddress;

  @Option(names = "--probe-port", paramLabel = "PORT", description = "A gateway only: forward TCP and UDP on this port "
      + "(on the outbound address) to the site's probe agents, for the other sites' agents to probe through.")
  Integer probePort;

  @Option(names = "--region", paramLabel = "REGION", description = "The site's region, for the node's locality.")
  String region;

  @CommandLine.ArgGroup(exclusive = true)
  AdminChoice admin = new AdminChoice();

  static final class AdminChoice {
    @Option(names = "--admin-address", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
        description = "Envoy's admin listener (default: 127.0.0.1:19000).")
    HostPort address;

    @Option(names = "--no-admin", description = "No admin section (for a harness that adds its own).")
    boolean none;
  }

  @Option(names = "--role", paramLabel = "ROLE", defaultValue = "sidecar", description = "sidecar or gateway (default: ${DEFAULT-VALUE}).")
  Role role;

  static final class HostPortConverter implements CommandLine.ITypeConverter<HostPort> {
    @Override
    public HostPort convert(String value) {
      return HostPort.parse(value);
    }
  }

  @Override
  public void run() {
    validate();
    String roleName = grpc ? NodeMetadata.ROLE_GRPC : role.name();
    ProxyIdentity id = new ProxyIdentity(
        nodeId != null ? nodeId : (service != null ? service : roleName) + "-" + site + "-" + shortHostname(),
        service != null ? service : site, site, Optional.ofNullable(region), roleName, Optional.ofNullable(service), upstreams);
    String out = grpc
        ? GrpcBootstrap.render(id, xdsAddress)
        : EnvoyBootstrap.render(id, xdsAddress, delta, admin.none ? Optional.empty()
            : Optional.of(admin.address != null ? admin.address : new HostPort("127.0.0.1", 19000)),
            new HostPort(outboundAddress, outboundPort), Optional.ofNullable(probePort));
    spec.commandLine().getOut().print(out);
    spec.commandLine().getOut().flush();
  }

  private void validate() {
    CommandLine cl = spec.commandLine();
    if (!SITE_ID.matcher(site).matches()) {
      throw new CommandLine.ParameterException(cl, "--site: must be a site id (lowercase letters, digits and '-'), was '" + site + "'");
    }
    if (service != null && !NAME.matcher(service).matches()) {
      throw new CommandLine.ParameterException(cl, "--service: not a service name: '" + service + "'");
    }
    for (String u : upstreams) {
      if (!NAME.matcher(u).matches()) {
        throw new CommandLine.ParameterException(cl, "--upstreams: not a service name: '" + u + "'");
      }
    }
    if (nodeId != null && nodeId.isBlank()) {
      throw new CommandLine.ParameterException(cl, "--node-id: must not be blank");
    }
    if (outboundPort < 1 || outboundPort > 65535) {
      throw new CommandLine.ParameterException(cl, "--outbound-port: must be 1..65535, was " + outboundPort);
    }
    if (outboundAddress.isBlank()) {
      throw new CommandLine.ParameterException(cl, "--outbound-address: must not be blank");
    }
    if (probePort != null && (role != Role.gateway || probePort < 1 || probePort > 65535 || probePort == outboundPort)) {
      throw new CommandLine.ParameterException(cl, "--probe-port: a gateway's probe port, 1..65535 and not the "
          + "--outbound-port, was " + probePort + (role != Role.gateway ? " (with --role " + role + ")" : ""));
    }
    if (grpc && (delta || role != Role.sidecar || admin.address != null)) {
      throw new CommandLine.ParameterException(cl, "--grpc: a gRPC bootstrap has no --delta (grpc-java speaks SotW), --role or --admin-address");
    }
  }

  /** The host name up to its first dot; "localhost" when the machine has none. */
  static String shortHostname() {
    String name = System.getenv("HOSTNAME");
    if (name == null || name.isBlank()) {
      try {
        name = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        name = "localhost";
      }
    }
    int dot = name.indexOf('.');
    return (dot > 0 ? name.substring(0, dot) : name).toLowerCase(java.util.Locale.ROOT);
  }
}
