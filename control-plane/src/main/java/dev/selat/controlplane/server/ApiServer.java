package dev.selat.controlplane.server;

import static java.util.Objects.requireNonNull;

import dev.selat.controlplane.config.ApiPort;
import dev.selat.xds.ServerTls;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The policy API on a port of its own ({@code ports.api}), in plaintext, TLS or mutual TLS. Its handlers hop onto
 * virtual threads at once ({@link PolicyApi}), so they run on the transport's threads. Start once, close once.
 */
final class ApiServer implements AutoCloseable {
  private final Server server;

  private ApiServer(Server server) {
    this.server = server;
  }

  static ApiServer start(ApiPort port, ServerServiceDefinition service) throws IOException {
    requireNonNull(service, "service");
    ServerCredentials credentials = port.tls()
        .map(t -> new ServerTls(t.certFile(), t.keyFile(), t.clientCaFile()).credentials())
        .orElseGet(InsecureServerCredentials::create);
    InetSocketAddress address = new InetSocketAddress(port.endpoint().address(), port.endpoint().port());
    return new ApiServer(NettyServerBuilder.forAddress(address, credentials).addService(service).directExecutor()
        .build().start());
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
