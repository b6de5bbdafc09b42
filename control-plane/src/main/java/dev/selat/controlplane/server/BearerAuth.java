package dev.selat.controlplane.server;

import static java.util.Objects.requireNonNull;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/** Refuses a call whose {@code authorization: Bearer <token>} is missing or wrong: UNAUTHENTICATED, saying which. */
final class BearerAuth implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "bearer ";

  private final ApiToken token;

  BearerAuth(ApiToken token) {
    this.token = requireNonNull(token, "token");
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String header = headers.get(AUTHORIZATION);
    Optional<String> presented = Optional.ofNullable(header)
        .filter(h -> h.regionMatches(true, 0, BEARER, 0, BEARER.length()))
        .map(h -> h.substring(BEARER.length()).strip());
    Optional<String> refused = token.check(presented);
    if (refused.isPresent()) {
      call.close(Status.UNAUTHENTICATED.withDescription(refused.get()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }
}
