package dev.selat.controlplane.server;

import static java.util.Objects.requireNonNull;

import com.google.inject.Provider;
import com.google.protobuf.Timestamp;
import dev.selat.controlplane.config.RoutingSettings;
import dev.selat.controlplane.policy.PolicyInvalidException;
import dev.selat.controlplane.policy.PolicyParser;
import dev.selat.controlplane.policy.PolicyStore;
import dev.selat.controlplane.policy.PolicyStoreException;
import dev.selat.controlplane.policy.Violation;
import dev.selat.controlplane.routing.Brain;
import dev.selat.controlplane.routing.Migration;
import dev.selat.controlplane.routing.Policy;
import dev.selat.controlplane.routing.PolicyInput;
import dev.selat.controlplane.routing.ServiceRoute;
import dev.selat.controlplane.routing.SiteInput;
import dev.selat.controlplane.routing.SiteReason;
import dev.selat.proto.v1.ApplyPolicyRequest;
import dev.selat.proto.v1.ApplyPolicyResponse;
import dev.selat.proto.v1.DeletePolicyRequest;
import dev.selat.proto.v1.DeletePolicyResponse;
import dev.selat.proto.v1.DryRunResponse;
import dev.selat.proto.v1.ExplainRequest;
import dev.selat.proto.v1.ExplainResponse;
import dev.selat.proto.v1.FieldViolation;
import dev.selat.proto.v1.GetPolicyRequest;
import dev.selat.proto.v1.ListPoliciesRequest;
import dev.selat.proto.v1.ListPoliciesResponse;
import dev.selat.proto.v1.LocalityChoice;
import dev.selat.proto.v1.MigrateRequest;
import dev.selat.proto.v1.PolicyServiceGrpc;
import dev.selat.proto.v1.ProxyVersion;
import dev.selat.proto.v1.RouteChange;
import dev.selat.proto.v1.RouteExplanation;
import dev.selat.proto.v1.RoutingPolicy;
import dev.selat.proto.v1.ValidatePolicyRequest;
import dev.selat.proto.v1.ValidatePolicyResponse;
import dev.selat.xds.XdsServer;
import dev.selat.xds.XdsStreamStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC PolicyService. Each call runs on its own virtual thread (the server's handlers run on transport threads, and
 * the store blocks on every site's Consul); routes for Explain and DryRun are computed from the route engine's current
 * inputs, on its scheduler. Bad policies are INVALID_ARGUMENT listing every field path; a store without a majority is
 * UNAVAILABLE, a revision conflict ABORTED, an unknown name NOT_FOUND, a migration step from the wrong phase
 * FAILED_PRECONDITION.
 */
final class PolicyApi extends PolicyServiceGrpc.PolicyServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(PolicyApi.class);
  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);
  private static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  private final PolicyParser parser;
  private final PolicyStore store;
  /** Told of every write that stood, so that this replica routes by it at once. */
  private final java.util.function.Consumer<RoutingPolicy> written;
  private final Provider<RouteEngine> engine;
  private final Provider<XdsServer> xds;
  private final RoutingSettings settings;
  private final Clock clock;

  PolicyApi(PolicyParser parser, PolicyStore store, java.util.function.Consumer<RoutingPolicy> written,
      Provider<RouteEngine> engine, Provider<XdsServer> xds, RoutingSettings settings, Clock clock) {
    this.parser = requireNonNull(parser, "parser");
    this.store = requireNonNull(store, "store");
    this.written = requireNonNull(written, "written");
    this.engine = requireNonNull(engine, "engine");
    this.xds = requireNonNull(xds, "xds");
    this.settings = requireNonNull(settings, "settings");
    this.clock = requireNonNull(clock, "clock");
  }

  /** A call's body; what it throws becomes the call's status. */
  private interface Body<T> {
    T run() throws Exception;
  }

  private <T> void serve(StreamObserver<T> out, Body<T> body) {
    Thread.ofVirtual().name("selat-policy-api").start(() -> {
      try {
        T value = body.run();
        out.onNext(value);
        out.onCompleted();
      } catch (Exception e) {
        out.onError(status(e));
      }
    });
  }

  private static StatusRuntimeException status(Exception e) {
    return switch (e) {
      case StatusRuntimeException s -> s;
      case PolicyInvalidException p -> Status.INVALID_ARGUMENT.withDescription(p.getMessage()).asRuntimeException();
      case PolicyStoreException s -> (switch (s.kind()) {
        case NO_MAJORITY -> Status.UNAVAILABLE;
        case CONFLICT -> Status.ABORTED;
        case NOT_FOUND -> Status.NOT_FOUND;
      }).withDescription(s.getMessage()).asRuntimeException();
      case IllegalStateException i -> Status.FAILED_PRECONDITION.withDescription(i.getMessage()).asRuntimeException();
      case IllegalArgumentException i -> Status.INVALID_ARGUMENT.withDescription(i.getMessage()).asRuntimeException();
      default -> {
        log.warn("policy API call failed", e);
        yield Status.INTERNAL.withDescription(e.getClass().getSimpleName() + ": " + e.getMessage()).asRuntimeException();
      }
    };
  }

  private static OptionalLong expected(boolean has, long value) {
    return has ? OptionalLong.of(value) : OptionalLong.empty();
  }

  @Override
  public void apply(ApplyPolicyRequest request, StreamObserver<ApplyPolicyResponse> out) {
    serve(out, () -> {
      parser.parse(request.getPolicy());
      PolicyStore.Written w = store.apply(request.getPolicy(),
          expected(request.hasExpectedRevision(), request.getExpectedRevision()));
      written.accept(w.policy());
      log.info("policy {} applied at revision {} ({})", w.policy().getName(), w.policy().getRevision(), w.writtenSites());
      return ApplyPolicyResponse.newBuilder().setPolicy(w.policy()).addAllWrittenSites(w.writtenSites()).build();
    });
  }

  @Override
  public void get(GetPolicyRequest request, StreamObserver<RoutingPolicy> out) {
    serve(out, () -> store.get(request.getName()).orElseThrow(() -> Status.NOT_FOUND
        .withDescription("policy " + request.getName() + " not found").asRuntimeException()));
  }

  @Override
  public void list(ListPoliciesRequest request, StreamObserver<ListPoliciesResponse> out) {
    serve(out, () -> ListPoliciesResponse.newBuilder().addAllPolicies(store.list()).build());
  }

  @Override
  public void delete(DeletePolicyRequest request, StreamObserver<DeletePolicyResponse> out) {
    serve(out, () -> {
      PolicyStore.Written w = store.delete(request.getName(),
          expected(request.hasExpectedRevision(), request.getExpectedRevision()));
      written.accept(w.policy());
      log.info("policy {} deleted at revision {}", request.getName(), w.policy().getRevision());
      return DeletePolicyResponse.newBuilder().addAllWrittenSites(w.writtenSites()).build();
    });
  }

  @Override
  public void validate(ValidatePolicyRequest request, StreamObserver<ValidatePolicyResponse> out) {
    serve(out, () -> ValidatePolicyResponse.newBuilder().addAllViolations(violations(parser.validate(request.getPolicy())))
        .build());
  }

  @Override
  public void migrate(MigrateRequest request, StreamObserver<ApplyPolicyResponse> out) {
    serve(out, () -> {
      PolicyStore.Written w = store.write(request.getName(),
          expected(request.hasExpectedRevision(), request.getExpectedRevision()), current -> {
            if (current == null) {
              return null;
            }
            Policy parsed;
            try {
              parsed = parser.parse(current);
            } catch (PolicyInvalidException e) {
              throw new IllegalStateException("stored policy does not fit this configuration: " + e.getMessage());
            }
            Migration m = parsed.migration().orElseThrow(() ->
                new IllegalStateException("policy " + request.getName() + " has no migration"));
            java.time.Instant now = clock.instant();
            Migration next = switch (request.getAction()) {
              case START -> m.start(now);
              case PAUSE -> m.pause(now);
              case RESUME -> m.resume(now);
              case ROLLBACK -> m.rollback(now);
              default -> throw Status.INVALID_ARGUMENT.withDescription("action: START, PAUSE, RESUME or ROLLBACK")
                  .asRuntimeException();
            };
            return PolicyParser.withMigrationState(current, next);
          });
      written.accept(w.policy());
      log.info("policy {}: migration {} at revision {}", request.getName(), request.getAction(), w.policy().getRevision());
      return ApplyPolicyResponse.newBuilder().setPolicy(w.policy()).addAllWrittenSites(w.writtenSites()).build();
    });
  }

  @Override
  public void dryRun(ApplyPolicyRequest request, StreamObserver<DryRunResponse> out) {
    serve(out, () -> {
      List<Violation> violations = parser.validate(request.getPolicy());
      if (!violations.isEmpty()) {
        return DryRunResponse.newBuilder().addAllViolations(violations(violations)).build();
      }
      Policy candidate = parser.parse(request.getPolicy());
      return query(state -> {
        List<Policy> after = new ArrayList<>(state.policies().policies().stream()
            .filter(p -> !p.name().equals(candidate.name())).toList());
        after.add(candidate);
        PolicyInput afterInput = state.policies().withPolicies(after);
        DryRunResponse.Builder b = DryRunResponse.newBuilder();
        for (String client : state.clientSites()) {
          for (String service : services(state)) {
            ServiceRoute before = Brain.route(service, client, state.sites(), state.held(), settings, state.policies());
            ServiceRoute then = Brain.route(service, client, state.sites(), state.held(), settings, afterInput);
            if (!then.sameResources(before) || before.routed() != then.routed()) {
              b.addChanges(RouteChange.newBuilder().setService(service).setClientSite(client)
                  .addAllBefore(localities(before)).addAllAfter(localities(then)));
            }
          }
        }
        return b.build();
      });
    });
  }

  @Override
  public void explain(ExplainRequest request, StreamObserver<ExplainResponse> out) {
    serve(out, () -> {
      if (request.getService().isEmpty()) {
        throw Status.INVALID_ARGUMENT.withDescription("service: required").asRuntimeException();
      }
      ExplainResponse.Builder b = ExplainResponse.newBuilder();
      List<String> clients = request.getClientSite().isEmpty() ? null : List.of(request.getClientSite());
      List<RouteExplanation> routes = query(state -> {
        List<RouteExplanation> list = new ArrayList<>();
        for (String client : clients == null ? state.clientSites() : clients) {
          ServiceRoute r = Brain.route(request.getService(), client, state.sites(), state.held(), settings,
              state.policies());
          RouteExplanation.Builder e = RouteExplanation.newBuilder().setService(r.service()).setClientSite(client)
              .addAllLocalities(localities(r)).addAllPolicies(r.policies());
          r.noEndpointsCause().ifPresent(e::setNoEndpointsReason);
          list.add(e.build());
        }
        return list;
      });
      for (RouteExplanation r : routes) {
        b.addRoutes(withPushed(r));
      }
      return b.build();
    });
  }

  /** The EDS version last sent to the client site's sidecars and gRPC clients, and which of them ACKed it. */
  private RouteExplanation withPushed(RouteExplanation r) {
    RouteExplanation.Builder b = r.toBuilder();
    TreeSet<String> versions = new TreeSet<>();
    TreeSet<String> acked = new TreeSet<>();
    for (XdsStreamStatus s : xds.get().streams()) {
      Optional<ProxyGroup> group = engine.get().groupOf(s.stream().group());
      if (group.isEmpty() || group.get().gateway() || !group.get().site().equals(r.getClientSite())) {
        continue;
      }
      s.types().stream().filter(t -> t.typeUrl().equals(EDS)).forEach(t -> {
        t.sentVersion().ifPresent(versions::add);
        if (t.ackedVersion().isPresent() && t.ackedVersion().equals(t.sentVersion())) {
          acked.add(s.nodeId());
        }
        b.addProxies(ProxyVersion.newBuilder().setNodeId(s.nodeId()).setSentVersion(t.sentVersion().orElse(""))
            .setAckedVersion(t.ackedVersion().orElse("")));
      });
    }
    return b.setVersion(String.join(",", versions)).addAllAckedBy(acked).build();
  }

  private <T> T query(java.util.function.Function<RouteEngine.RoutingState, T> q) throws Exception {
    try {
      return engine.get().query(q).get(QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    } catch (TimeoutException e) {
      throw Status.DEADLINE_EXCEEDED.withDescription("the route engine did not answer in " + QUERY_TIMEOUT)
          .asRuntimeException();
    }
  }

  private static TreeSet<String> services(RouteEngine.RoutingState state) {
    TreeSet<String> all = new TreeSet<>();
    for (SiteInput s : state.sites().values()) {
      all.addAll(s.services().keySet());
    }
    return all;
  }

  static List<LocalityChoice> localities(ServiceRoute r) {
    List<LocalityChoice> out = new ArrayList<>();
    for (SiteReason s : r.reasons()) {
      LocalityChoice.Builder c = LocalityChoice.newBuilder().setSite(s.site()).setPriority(s.priority().orElse(-1))
          .setWeight(s.priority().isPresent() ? s.weight() : 0).setSharePerMille(s.sharePerMille())
          .setHealthyInstances(s.healthy()).setTotalInstances(s.total()).setRtt(duration(s.rtt()))
          .setRttAge(duration(s.rttAge()));
      s.source().ifPresent(src -> c.setRttSource(src.label()));
      if (s.note() != null) {
        for (String reason : s.note().split("; ")) {
          c.addReasons(reason);
        }
      }
      out.add(c.build());
    }
    return out;
  }

  static List<FieldViolation> violations(List<Violation> v) {
    return v.stream().map(x -> FieldViolation.newBuilder().setField(x.field()).setDescription(x.description()).build())
        .toList();
  }

  private static com.google.protobuf.Duration duration(Duration d) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }

  static Timestamp timestamp(java.time.Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
