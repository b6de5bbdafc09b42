package dev.selat.xds;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** Makes the TLS client certificate chain of a call visible to the stream it starts. */
final class ClientCertificates implements ServerInterceptor {
  private static final Context.Key<List<X509Certificate>> CHAIN = Context.key("selat-xds-client-chain");

  /** The chain of the current call; empty without TLS or without a client certificate. */
  static List<X509Certificate> current() {
    List<X509Certificate> chain = CHAIN.get();
    return chain == null ? List.of() : chain;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return next.startCall(call, headers);
    }
    Context context = Context.current().withValue(CHAIN, chainOf(session));
    return Contexts.interceptCall(context, call, headers, next);
  }

  private static List<X509Certificate> chainOf(SSLSession session) {
    try {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate certificate : session.getPeerCertificates()) {
        if (certificate instanceof X509Certificate x509) {
          chain.add(x509);
        }
      }
      return List.copyOf(chain);
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }
}
