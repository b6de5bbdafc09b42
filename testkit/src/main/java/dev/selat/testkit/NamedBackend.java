package dev.selat.testkit;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** A real gRPC server on 127.0.0.1 whose one unary method answers with the backend's name. */
public final class NamedBackend implements AutoCloseable {
  public static final MethodDescriptor<String, String> WHO = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName("selat.test.Backend/Who")
      .setRequestMarshaller(Utf8.INSTANCE)
      .setResponseMarshaller(Utf8.INSTANCE)
      .build();

  private final Server server;

  public NamedBackend(String name) throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerServiceDefinition.builder("selat.test.Backend")
            .addMethod(WHO, ServerCalls.asyncUnaryCall((request, response) -> {
              response.onNext(name);
              response.onCompleted();
            }))
            .build())
        .build()
        .start();
  }

  public int port() {
    return server.getPort();
  }

  /** Asks whichever backend {@code channel} picks for its name. */
  public static String who(Channel channel) {
    return ClientCalls.blockingUnaryCall(channel, WHO,
        CallOptions.DEFAULT.withWaitForReady().withDeadlineAfter(10, TimeUnit.SECONDS), "who");
  }

  /** Backend name -> how many of {@code n} calls over {@code channel} it answered. */
  public static Map<String, Integer> tally(Channel channel, int n) {
    Map<String, Integer> byBackend = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      byBackend.merge(who(channel), 1, Integer::sum);
    }
    return byBackend;
  }

  /**
   * A {@link #tally} by site, for backends named {@code <site>-<n>} ({@code jakarta-0}, {@code alibaba-sg-1}): site ->
   * how many of the calls its backends answered.
   */
  public static Map<String, Integer> bySite(Map<String, Integer> byBackend) {
    Map<String, Integer> bySite = new TreeMap<>();
    byBackend.forEach((backend, n) -> bySite.merge(backend.substring(0, backend.lastIndexOf('-')), n, Integer::sum));
    return bySite;
  }

  /** Takes the backend down, cutting its connections (the failure a failover test needs). */
  public void stop() {
    try {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  private enum Utf8 implements MethodDescriptor.Marshaller<String> {
    INSTANCE;

    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
