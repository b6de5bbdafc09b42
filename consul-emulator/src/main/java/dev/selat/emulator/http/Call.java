package dev.selat.emulator.http;

import dev.selat.emulator.acl.Access;
import dev.selat.emulator.acl.Authorizer;
import dev.selat.emulator.acl.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/** One HTTP request as endpoints see it: method, the path after the route, query, body, caller. */
public final class Call {
  private final Request request;
  private final String rest;
  private final Fields query;
  private final long maxBody;
  private final Function<String, Authorizer> tokenResolver;
  private byte[] body;
  private Authorizer authz;

  Call(Request request, String rest, Fields query, long maxBody, Function<String, Authorizer> tokenResolver) {
    this.request = request;
    this.rest = rest;
    this.query = query;
    this.maxBody = maxBody;
    this.tokenResolver = tokenResolver;
  }

  public String method() {
    return request.getMethod();
  }

  /** The path after the route's prefix (a KV key, a service name...), URL-decoded. */
  public String rest() {
    return rest;
  }

  /** The rest of the path, required non-empty: a 400 naming {@code what} otherwise. */
  public String required(String what) {
    if (rest.isEmpty()) {
      throw HttpError.badRequest("Missing " + what);
    }
    return rest;
  }

  public boolean has(String name) {
    return query.get(name) != null;
  }

  public String param(String name) {
    Fields.Field f = query.get(name);
    return f == null ? null : f.getValue();
  }

  public String param(String name, String dflt) {
    String v = param(name);
    return v == null ? dflt : v;
  }

  public List<String> params(String name) {
    Fields.Field f = query.get(name);
    return f == null ? List.of() : f.getValues();
  }

  /** The query string re-encoded with sorted keys, as Go's url.Values.Encode(). */
  public String encodedQuery() {
    java.util.TreeMap<String, List<String>> sorted = new java.util.TreeMap<>();
    query.forEach(f -> sorted.put(f.getName(), f.getValues()));
    java.util.StringJoiner out = new java.util.StringJoiner("&");
    sorted.forEach((k, vs) -> vs.forEach(v -> out.add(enc(k) + "=" + enc(v))));
    return out.toString();
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  public String header(String name) {
    return request.getHeaders().get(name);
  }

  /** The body, read once, bounded by the configured limit (413 past it). */
  public byte[] body() {
    if (body == null) {
      long declared = request.getLength();
      if (declared > maxBody) {
        throw tooLarge(declared);
      }
      try (InputStream in = org.eclipse.jetty.io.Content.Source.asInputStream(request)) {
        byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
        if (b.length > maxBody) {
          throw tooLarge(b.length);
        }
        body = b;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return body;
  }

  /** The body without the KV size limit (snapshot restore). */
  public byte[] bodyUnbounded() {
    try (InputStream in = org.eclipse.jetty.io.Content.Source.asInputStream(request)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpError tooLarge(long size) {
    return new HttpError(413, "Request body(" + size + " bytes) too large, max size: " + maxBody + " bytes. See "
        + "https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.");
  }

  public <T> T decode(Class<T> type) {
    return Json.decode(body(), type);
  }

  /** The token: X-Consul-Token, then Authorization: Bearer, then ?token=; "" for anonymous. */
  public String token() {
    String t = header("X-Consul-Token");
    if (t == null || t.isEmpty()) {
      String auth = header(HttpHeader.AUTHORIZATION.asString());
      if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
        t = auth.substring(7).trim();
      }
    }
    if (t == null || t.isEmpty()) {
      t = param("token", "");
    }
    return t;
  }

  public Authorizer authz() {
    if (authz == null) {
      authz = tokenResolver.apply(token());
    }
    return authz;
  }

  /** Throws Consul's 403 unless the caller has {@code need} on the resource. */
  public void require(Resource resource, String name, Access need) {
    if (!authz().allowed(resource, name, need)) {
      throw AclDenied.of(authz(), resource, name, need);
    }
  }
}
