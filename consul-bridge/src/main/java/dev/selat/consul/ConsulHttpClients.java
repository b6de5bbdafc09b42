package dev.selat.consul;

import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.DefaultHostnameVerifier;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;

/**
 * Builds the Apache HttpClient a site's ecwid client runs on: a pool bounded by {@link SiteConfig#maxConnections()}, the
 * ACL token in the X-Consul-Token header (ecwid itself would put it in the URL), and the site's TLS settings.
 */
final class ConsulHttpClients {
  static final String TOKEN_HEADER = "X-Consul-Token";
  static final String FILTERED_HEADER = "X-Consul-Results-Filtered-By-ACLs";
  /**
   * Whether the last response on this thread had results filtered out by ACLs. ecwid hides response headers other than
   * the index ones, and a classic HttpClient runs its interceptors on the calling thread, so a thread-local carries it.
   */
  static final ThreadLocal<Boolean> ACL_FILTERED = ThreadLocal.withInitial(() -> false);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Beyond the wait and Consul's jitter (wait/16), how long a blocking response may take before we call it lost. */
  private static final Duration READ_MARGIN = Duration.ofSeconds(10);

  private ConsulHttpClients() {}

  static CloseableHttpClient create(SiteConfig config, Optional<String> token) {
    var sockets = RegistryBuilder.<ConnectionSocketFactory>create()
        .register("http", PlainConnectionSocketFactory.getSocketFactory());
    if (config.addresses().stream().anyMatch(a -> "https".equals(a.getScheme()))) {
      sockets.register("https", tlsSockets(config));
    }
    PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager(sockets.build());
    pool.setMaxTotal(config.maxConnections());
    pool.setDefaultMaxPerRoute(config.maxConnections());
    pool.setValidateAfterInactivity(2_000);
    Duration read = config.blockingWait().plus(config.blockingWait().dividedBy(16)).plus(READ_MARGIN);
    RequestConfig requests = RequestConfig.custom()
        .setConnectTimeout((int) CONNECT_TIMEOUT.toMillis())
        .setConnectionRequestTimeout((int) read.toMillis())
        .setSocketTimeout((int) read.toMillis())
        .build();
    var builder = HttpClients.custom()
        .setConnectionManager(pool)
        .setDefaultRequestConfig(requests)
        .disableCookieManagement()
        .disableAutomaticRetries();
    builder.addInterceptorLast((org.apache.http.HttpResponseInterceptor) (response, context) ->
        ACL_FILTERED.set(response.containsHeader(FILTERED_HEADER)));
    token.ifPresent(t -> builder.addInterceptorFirst(
        (org.apache.http.HttpRequestInterceptor) (request, context) -> request.setHeader(TOKEN_HEADER, t)));
    return builder.build();
  }

  private static SSLConnectionSocketFactory tlsSockets(SiteConfig config) {
    TlsSettings tls = config.tls();
    DefaultHostnameVerifier verifier = new DefaultHostnameVerifier();
    Optional<String> serverName = tls.serverName();
    return new SSLConnectionSocketFactory(PemTls.sslContext(config.siteId(), tls), new String[] {"TLSv1.3", "TLSv1.2"},
        null, (host, session) -> verifier.verify(serverName.orElse(host), session)) {
      @Override
      protected void prepareSocket(SSLSocket socket) {
        serverName.ifPresent(name -> {
          SSLParameters params = socket.getSSLParameters();
          params.setServerNames(java.util.List.of(new SNIHostName(name)));
          socket.setSSLParameters(params);
        });
      }
    };
  }
}
