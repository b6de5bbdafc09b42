package dev.selat.emulator.http;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.selat.emulator.acl.AclResolver;
import dev.selat.emulator.acl.AclRulesException;
import dev.selat.emulator.filter.FilterException;
import dev.selat.emulator.acl.Authorizer;
import dev.selat.emulator.state.StateException;
import java.nio.ByteBuffer;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API entry: routes a request, runs the endpoint (on a virtual thread, so blocking
 * queries just park), and maps errors to Consul's status codes and plain-text messages.
 */
public final class ConsulHandler extends Handler.Abstract {
  private static final Logger log = LoggerFactory.getLogger(ConsulHandler.class);

  private final Router router;
  private final long maxBody;
  private final Function<String, Authorizer> tokenResolver;
  private final ConnectionLimiter limiter;
  private final java.util.Set<String> answeredCached = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final LeaderState leader;

  public ConsulHandler(Router router, long maxBody, Function<String, Authorizer> tokenResolver,
      ConnectionLimiter limiter, LeaderState leader) {
    super(InvocationType.BLOCKING);
    this.leader = leader;
    this.router = router;
    this.maxBody = maxBody;
    this.tokenResolver = tokenResolver;
    this.limiter = limiter;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Reply reply;
    boolean pretty = false;
    if (limiter.overLimit(request.getConnectionMetaData().getConnection())) {
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
      reply = Reply.text(429, "Your IP is issuing too many concurrent connections, please rate limit your calls\n");
    } else {
      Fields query;
      try {
        query = Request.extractQueryParameters(request);
      } catch (RuntimeException e) {
        query = null;
      }
      pretty = query != null && query.get("pretty") != null;
      reply = query == null ? Reply.text(400, "Invalid query string") : dispatch(request, query);
    }
    send(request, response, callback, reply, pretty);
    return true;
  }

  private Reply dispatch(Request request, Fields query) {
    String path = request.getHttpURI().getDecodedPath();
    Router.Match m = router.match(path);
    if (m == null) {
      return Reply.text(404, path.startsWith("/v1/") ? "Invalid URL path: not a recognized HTTP API endpoint"
          : "Invalid URL path: if attempting to use the HTTP API, ensure the path starts with '/v1/'");
    }
    if (!m.route().methods().contains(request.getMethod())) {
      if ("OPTIONS".equals(request.getMethod())) {
        return Reply.empty().header("Allow", String.join(",", m.route().methods()));
      }
      return Reply.text(405, "method " + request.getMethod() + " not allowed");
    }
    try {
      Call call = new Call(request, m.rest(), query, maxBody, tokenResolver);
      Reply reply = leader.apply(request.getMethod(), path, call, m.route().endpoint());
      reply = peered(request.getMethod(), path, call, reply);
      if (query.get("cached") != null) {
        cacheHeaders(request, reply);
      }
      return reply;
    } catch (HttpError e) {
      return Reply.text(e.status(), e.getMessage());
    } catch (AclResolver.AclNotFoundException e) {
      return Reply.text(403, e.getMessage());
    } catch (FilterException e) {
      return Reply.text(500, e.getMessage()); // go-bexpr's errors reach Consul's HTTP layer as a 500
    } catch (AclRulesException | IllegalArgumentException e) {
      return Reply.text(400, e.getMessage());
    } catch (StateException e) {
      return Reply.text(500, e.getMessage());
    } catch (Exception e) {
      log.warn("{} {} failed", request.getMethod(), path, e);
      return Reply.text(500, String.valueOf(e.getMessage()));
    }
  }

  /**
   * ?peer=NAME on catalog and health reads asks for what a cluster peer exported. The emulator has
   * no peers, so, as Consul for a peer it does not know, the answer is empty (never the local
   * results), with the query's index.
   */
  private static Reply peered(String method, String path, Call call, Reply reply) {
    String peer = call.param("peer");
    if (peer == null || peer.isEmpty() || reply.status() != 200 || !("GET".equals(method) || "HEAD".equals(method))
        || !(path.startsWith("/v1/catalog/") || path.startsWith("/v1/health/"))) {
      return reply;
    }
    // A node lookup finds no node (null); lists are empty; catalog/services is an empty map.
    Object empty = path.startsWith("/v1/catalog/node/") || path.startsWith("/v1/catalog/node-services/") ? null
        : reply.json() instanceof java.util.Map ? java.util.Map.of() : java.util.List.of();
    return new Reply(200, empty, null, reply.contentType(), reply.headers());
  }

  /**
   * ?cached: the emulator has no agent cache and always answers fresh data (Age 0), but reports
   * X-Cache MISS for the first such query and HIT afterwards, as a warm agent cache would.
   */
  private void cacheHeaders(Request request, Reply reply) {
    if (answeredCached.size() > 10_000) {
      answeredCached.clear();
    }
    boolean hit = !answeredCached.add(request.getHttpURI().getPathQuery());
    reply.header("X-Cache", hit ? "HIT" : "MISS").header("Age", "0");
  }

  private static void send(Request request, Response response, Callback callback, Reply reply, boolean pretty) {
    byte[] body;
    if (reply.raw() != null) {
      body = reply.raw();
    } else {
      body = pretty ? prettyJson(reply.json()) : Json.write(reply.json());
    }
    response.setStatus(reply.status());
    reply.headers().forEach((k, v) -> response.getHeaders().put(k, v));
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
    response.getHeaders().put("Vary", "Accept-Encoding");
    if ("HEAD".equals(request.getMethod())) {
      response.write(true, null, callback);
    } else {
      response.write(true, ByteBuffer.wrap(body), callback);
    }
  }

  private static byte[] prettyJson(Object value) {
    try {
      return Json.MAPPER.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
