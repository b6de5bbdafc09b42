package dev.selat.controlplane.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.selat.proto.v1.ApplyPolicyRequest;
import dev.selat.proto.v1.ApplyPolicyResponse;
import dev.selat.proto.v1.DeletePolicyRequest;
import dev.selat.proto.v1.DryRunResponse;
import dev.selat.proto.v1.ExplainRequest;
import dev.selat.proto.v1.ExplainResponse;
import dev.selat.proto.v1.FieldViolation;
import dev.selat.proto.v1.GetPolicyRequest;
import dev.selat.proto.v1.ListPoliciesRequest;
import dev.selat.proto.v1.LocalityChoice;
import dev.selat.proto.v1.MigrateRequest;
import dev.selat.proto.v1.RouteChange;
import dev.selat.proto.v1.RouteExplanation;
import dev.selat.proto.v1.RoutingPolicy;
import dev.selat.proto.v1.ValidatePolicyRequest;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** The policy commands of {@code selatctl}: kubectl-like, against the control plane's PolicyService. */
final class PolicyCommands {
  private PolicyCommands() {}

  private static final JsonFormat.Printer JSON = JsonFormat.printer();

  /** A command's body, given a connection; returns its exit code. */
  interface Call {
    int run(PolicyClient.Connection c, PrintWriter out, PrintWriter err) throws Exception;
  }

  abstract static class Base implements Callable<Integer> {
    @ParentCommand
    Selatctl parent;

    @Mixin
    PolicyClient client;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    int call(Call body) throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try (PolicyClient.Connection c = client.connect(parent.env())) {
        return body.run(c, out, err);
      } catch (StatusRuntimeException e) {
        // A transport failure (refused connection, TLS handshake) says what in its cause.
        Throwable cause = e.getStatus().getCause();
        err.println("selatctl: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription()
            + (cause == null ? "" : " (" + cause + ")"));
        return PolicyClient.exitCode(e);
      } catch (IOException e) {
        err.println("selatctl: " + e.getMessage());
        return PolicyClient.REFUSED;
      }
    }
  }

  /** The documents of {@code -f FILE|-}; a file that is not policies is reported with its line, exit 1. */
  abstract static class WithFile extends Base {
    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE",
        description = "YAML (several documents) or JSON policies; - for standard input.")
    String file;

    List<PolicyDocuments.Document> documents() throws IOException, PolicyDocuments.BadDocument {
      String text = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(Path.of(file), StandardCharsets.UTF_8);
      return PolicyDocuments.parse(file.equals("-") ? "<stdin>" : file, text);
    }

    int withDocuments(Call body) throws Exception {
      try {
        documents();
      } catch (PolicyDocuments.BadDocument | IOException e) {
        spec.commandLine().getErr().println("selatctl: " + e.getMessage());
        return PolicyClient.REFUSED;
      }
      return call(body);
    }

    String source() {
      return file.equals("-") ? "<stdin>" : file;
    }

    /** Prints each violation as {@code file:line: field: description}. */
    void violations(PrintWriter err, PolicyDocuments.Document d, List<FieldViolation> v) {
      for (FieldViolation f : v) {
        err.println(source() + ":" + d.lineOf(f.getField()) + ": " + f.getField() + ": " + f.getDescription());
      }
    }
  }

  @Command(name = "apply", mixinStandardHelpOptions = true, description = "Stores the policies of a file (create or update).")
  static final class Apply extends WithFile {
    @Override
    public Integer call() throws Exception {
      return withDocuments((c, out, err) -> {
        int code = 0;
        for (PolicyDocuments.Document d : documents()) {
          List<FieldViolation> v = c.stub().validate(ValidatePolicyRequest.newBuilder().setPolicy(d.policy()).build())
              .getViolationsList();
          if (!v.isEmpty()) {
            violations(err, d, v);
            code = PolicyClient.REFUSED;
            continue;
          }
          ApplyPolicyResponse r = c.stub().apply(ApplyPolicyRequest.newBuilder().setPolicy(d.policy()).build());
          out.println("policy/" + r.getPolicy().getName() + " applied: revision " + r.getPolicy().getRevision()
              + " (written to " + String.join(", ", r.getWrittenSitesList()) + ")");
        }
        return code;
      });
    }
  }

  @Command(name = "validate", mixinStandardHelpOptions = true, description = "Checks the policies of a file; stores nothing.")
  static final class Validate extends WithFile {
    @Override
    public Integer call() throws Exception {
      return withDocuments((c, out, err) -> {
        int code = 0;
        for (PolicyDocuments.Document d : documents()) {
          List<FieldViolation> v = c.stub().validate(ValidatePolicyRequest.newBuilder().setPolicy(d.policy()).build())
              .getViolationsList();
          if (v.isEmpty()) {
            out.println("policy/" + d.policy().getName() + " valid");
          } else {
            violations(err, d, v);
            code = PolicyClient.REFUSED;
          }
        }
        return code;
      });
    }
  }

  @Command(name = "dry-run", mixinStandardHelpOptions = true,
      description = "Which client sites and services the policies of a file would change, and how; stores nothing.")
  static final class DryRun extends WithFile {
    @Override
    public Integer call() throws Exception {
      return withDocuments((c, out, err) -> {
        int code = 0;
        for (PolicyDocuments.Document d : documents()) {
          DryRunResponse r = c.stub().dryRun(ApplyPolicyRequest.newBuilder().setPolicy(d.policy()).build());
          if (!r.getViolationsList().isEmpty()) {
            violations(err, d, r.getViolationsList());
            code = PolicyClient.REFUSED;
            continue;
          }
          out.println("policy/" + d.policy().getName() + ": " + r.getChangesCount() + " route(s) would change");
          for (RouteChange ch : r.getChangesList()) {
            out.println("  " + ch.getService() + " for " + ch.getClientSite() + ": " + layout(ch.getBeforeList())
                + "  ->  " + layout(ch.getAfterList()));
          }
        }
        return code;
      });
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Shows one policy or all.")
  static final class Get extends Base {
    @Parameters(arity = "0..1", paramLabel = "NAME")
    String name;

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
        description = "table, yaml or json (default: ${DEFAULT-VALUE}).")
    String output;

    @Override
    public Integer call() throws Exception {
      if (!List.of("table", "yaml", "json").contains(output)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--output: table, yaml or json, was '" + output + "'");
      }
      return call((c, out, err) -> {
        List<RoutingPolicy> policies = name == null
            ? c.stub().list(ListPoliciesRequest.getDefaultInstance()).getPoliciesList()
            : List.of(c.stub().get(GetPolicyRequest.newBuilder().setName(name).build()));
        switch (output) {
          case "json" -> {
            for (RoutingPolicy p : policies) {
              out.println(JSON.print(p));
            }
          }
          case "yaml" -> {
            var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            for (RoutingPolicy p : policies) {
              out.print(yaml.writeValueAsString(json.readTree(JSON.print(p))));
            }
          }
          default -> {
            out.printf("%-32s %-9s %-15s %s%n", "NAME", "REVISION", "MODE", "SERVICES");
            for (RoutingPolicy p : policies) {
              out.printf("%-32s %-9d %-15s %s%n", p.getName(), p.getRevision(), p.getMode().name()
                  .replace("ROUTING_MODE_UNSPECIFIED", "LOCAL_FIRST"), String.join(",", p.getSelector().getServicesList()));
            }
          }
        }
        return 0;
      });
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a policy.")
  static final class Delete extends Base {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws Exception {
      return call((c, out, err) -> {
        var r = c.stub().delete(DeletePolicyRequest.newBuilder().setName(name).build());
        out.println("policy/" + name + " deleted (written to " + String.join(", ", r.getWrittenSitesList()) + ")");
        return 0;
      });
    }
  }

  @Command(name = "explain", mixinStandardHelpOptions = true,
      description = "Why the clients of a site route a service the way they do.")
  static final class Explain extends Base {
    @Parameters(paramLabel = "SERVICE")
    String service;

    @Option(names = "--site", paramLabel = "SITE", description = "The client site (default: every site).")
    String site;

    @Override
    public Integer call() throws Exception {
      return call((c, out, err) -> {
        ExplainResponse r = c.stub().explain(ExplainRequest.newBuilder().setService(service)
            .setClientSite(site == null ? "" : site).build());
        for (RouteExplanation e : r.getRoutesList()) {
          out.println(e.getService() + " for clients in " + e.getClientSite() + " (version " + e.getVersion()
              + ", ACKed by " + (e.getAckedByCount() == 0 ? "none" : String.join(", ", e.getAckedByList())) + ")");
          e.getProxiesList().forEach(p -> out.println("  proxy " + p.getNodeId() + ": sent " + p.getSentVersion()
              + ", ACKed " + (p.getAckedVersion().isEmpty() ? "nothing yet" : p.getAckedVersion())));
          e.getPoliciesList().forEach(p -> out.println("  policy " + p));
          if (!e.getNoEndpointsReason().isEmpty()) {
            out.println("  NO HEALTHY ENDPOINT: " + e.getNoEndpointsReason());
          }
          out.printf("  %-14s %-8s %-6s %-6s %-9s %-22s %s%n", "SITE", "PRIORITY", "WEIGHT", "SHARE", "HEALTHY", "RTT",
              "REASONS");
          for (LocalityChoice l : e.getLocalitiesList()) {
            String rtt = ms(l.getRtt()) + (l.getRttSource().isEmpty() ? "" : " " + l.getRttSource());
            out.printf("  %-14s %-8s %-6d %-6s %-9s %-22s %s%n", l.getSite(), l.getPriority() < 0 ? "out" : l.getPriority(),
                l.getWeight(), l.getSharePerMille() / 10.0 + "%", l.getHealthyInstances() + "/" + l.getTotalInstances(),
                rtt, String.join("; ", l.getReasonsList()));
          }
        }
        return 0;
      });
    }
  }

  @Command(name = "migrate", mixinStandardHelpOptions = true,
      description = "Drives a policy's migration: start, pause, resume, rollback, or shows its status.")
  static final class Migrate extends Base {
    enum Verb {
      start, pause, resume, rollback, status
    }

    @Parameters(index = "0", paramLabel = "ACTION", description = "start, pause, resume, rollback or status.")
    Verb verb;

    @Parameters(index = "1", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws Exception {
      return call((c, out, err) -> {
        RoutingPolicy p;
        if (verb == Verb.status) {
          p = c.stub().get(GetPolicyRequest.newBuilder().setName(name).build());
        } else {
          p = c.stub().migrate(MigrateRequest.newBuilder().setName(name)
              .setAction(MigrateRequest.Action.valueOf(verb.name().toUpperCase(java.util.Locale.ROOT))).build()).getPolicy();
        }
        var m = p.getMigration();
        out.println("policy/" + name + " revision " + p.getRevision() + ": migration " + m.getFromSite() + " -> "
            + m.getToSite() + ", " + m.getState().getPhase() + " at base " + m.getState().getBasePercent() + "% (target "
            + m.getTargetPercent() + "%, step " + m.getStepPercent() + "% every " + ms(m.getInterval()) + ")");
        return 0;
      });
    }
  }

  static String layout(List<LocalityChoice> localities) {
    return localities.stream().filter(l -> l.getPriority() >= 0)
        .map(l -> l.getSite() + "@" + l.getPriority() + "(" + l.getSharePerMille() / 10.0 + "%)")
        .collect(Collectors.joining(" "));
  }

  static String ms(com.google.protobuf.Duration d) {
    double ms = d.getSeconds() * 1000.0 + d.getNanos() / 1e6;
    return (ms == Math.rint(ms) ? String.valueOf((long) ms) : String.format("%.1f", ms)) + "ms";
  }

  static String json(Message m) throws InvalidProtocolBufferException {
    return JSON.print(m);
  }
}
