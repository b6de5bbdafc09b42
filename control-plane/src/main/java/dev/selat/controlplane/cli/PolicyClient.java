package dev.selat.controlplane.cli;

import dev.selat.proto.v1.PolicyServiceGrpc;
import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every policy command shares: the server, its TLS ({@code --tls-ca}; with {@code --tls-cert} and
 * {@code --tls-key}, mutual TLS), and the token ({@code --token-file}, else {@code SELAT_TOKEN}), sent as
 * {@code authorization: Bearer}. Exit codes: 0 done, 1 the server refused (invalid, conflict, not found, no
 * majority), 2 usage, 3 the server could not be reached or refused the token.
 */
final class PolicyClient {
  static final int REFUSED = 1;
  static final int UNREACHABLE = 3;
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  @Option(names = "--server", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:18000",
      converter = BootstrapCommand.HostPortConverter.class, description = "The control plane's gRPC address, xDS's port (default: ${DEFAULT-VALUE}).")
  HostPort server;

  @Option(names = "--token-file", paramLabel = "FILE", description = "A file holding the API token (default: $SELAT_TOKEN).")
  Path tokenFile;

  @Option(names = "--tls-ca", paramLabel = "FILE",
      description = "TLS: trust the CA certificates of this PEM file for the server (default with --tls-cert: the JDK's).")
  Path tlsCa;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "Mutual TLS: this client's certificate chain (PEM).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "Mutual TLS: its private key (PKCS#8 PEM).")
  Path tlsKey;

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30", description = "Per call (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  /** A stub with the token; the channel goes with it. */
  record Connection(ManagedChannel channel, PolicyServiceGrpc.PolicyServiceBlockingStub stub) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  Connection connect(Map<String, String> env) throws IOException {
    Optional<String> token = tokenFile != null
        ? Optional.of(Files.readString(tokenFile, StandardCharsets.UTF_8).strip())
        : Optional.ofNullable(env.get("SELAT_TOKEN")).map(String::strip);
    ManagedChannel channel = Grpc.newChannelBuilder(server.host() + ":" + server.port(), credentials()).build();
    PolicyServiceGrpc.PolicyServiceBlockingStub stub = PolicyServiceGrpc.newBlockingStub(channel);
    if (token.isPresent() && !token.get().isEmpty()) {
      String value = token.get();
      stub = stub.withCallCredentials(new CallCredentials() {
        @Override
        public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
          Metadata m = new Metadata();
          m.put(AUTHORIZATION, "Bearer " + value);
          applier.apply(m);
        }
      });
    }
    return new Connection(channel, stub.withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS));
  }

  /** Plaintext, or TLS with the CA and client certificate given; a certificate goes with its key (else usage, 2). */
  private ChannelCredentials credentials() throws IOException {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new ParameterException(mixee.commandLine(), "--tls-cert and --tls-key go together");
    }
    if (tlsCa == null && tlsCert == null) {
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
    if (tlsCa != null) {
      tls.trustManager(tlsCa.toFile());
    }
    if (tlsCert != null) {
      tls.keyManager(tlsCert.toFile(), tlsKey.toFile());
    }
    return tls.build();
  }

  /** The exit code for a failed call. */
  static int exitCode(StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    boolean transport = code == Status.Code.UNAVAILABLE && e.getStatus().getCause() != null;
    return code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED || transport
        || code == Status.Code.DEADLINE_EXCEEDED ? UNREACHABLE : REFUSED;
  }
}
