package dev.selat.consul;

import com.ecwid.consul.SingleUrlParameters;
import com.ecwid.consul.UrlParameters;
import com.ecwid.consul.transport.HttpResponse;
import com.ecwid.consul.transport.TransportException;
import com.ecwid.consul.v1.ConsulRawClient;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.http.Header;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpEntityEnclosingRequestBase;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.util.EntityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SiteReader} over ecwid consul-api's raw client, on our own HttpClient (token header, TLS, bounded pool). JSON is
 * parsed here into records so no ecwid type leaves this class. With several addresses, a request that gets no
 * response, a 5xx (Consul answers "No cluster leader" with 500; a proxy in front of it answers 502/503) or a 429
 * (this agent's connection limit) moves the reader to the next address; other answers (an ACL denial, a bad request)
 * would be the same from every server and keep it where it is.
 */
final class EcwidSiteReader implements SiteReader {
  private static final Logger log = LoggerFactory.getLogger(EcwidSiteReader.class);
  private final SiteConfig config;
  private final CloseableHttpClient http;
  private final List<ConsulRawClient> clients;
  private final AtomicInteger current = new AtomicInteger();
  private final AtomicBoolean warnedFiltered = new AtomicBoolean();
  /** Malformed optional entries already logged (bounded: a flood of distinct ones is not kept forever). */
  private final Set<String> warnedMalformed = ConcurrentHashMap.newKeySet();

  EcwidSiteReader(SiteConfig config) {
    this.config = config;
    this.http = ConsulHttpClients.create(config, config.resolveToken());
    List<ConsulRawClient> list = new ArrayList<>();
    for (URI a : config.addresses()) {
      list.add(ConsulRawClient.Builder.builder()
          .setHost(a.getScheme() + "://" + a.getHost()).setPort(a.getPort()).setHttpClient(http).build());
    }
    this.clients = List.copyOf(list);
  }

  /**
   * Consul answers a read its token may not see with 200 and the forbidden part filtered out: a token that sees no
   * service (or no instance of a service) at all is a denial, not an empty site (or service). A partly filtered list is
   * legitimate (a scoped token); it is logged once.
   */
  @Override
  public QueryResult<Map<String, List<String>>> services(long index, Duration wait) {
    return get("/v1/catalog/services", blocking(index, wait), ConsulJson::services, Map::isEmpty);
  }

  @Override
  public QueryResult<List<CheckState>> healthState(long index, Duration wait) {
    return get("/v1/health/state/any", blocking(index, wait), ConsulJson::checks, List::isEmpty);
  }

  @Override
  public QueryResult<List<ServiceInstance>> serviceHealth(String service) {
    // Instances on nodes the token may not read (node:read) are filtered out: all of them gone is not "no instance".
    String endpoint = "/v1/health/service/" + encode(service);
    return get(endpoint, common(), json -> ConsulJson.serviceHealth(json, p -> malformed(endpoint, p)), List::isEmpty);
  }

  /**
   * A malformed optional entry (a tagged address, a node meta value) is left out of its instance, which is kept; it is
   * logged once, named by its field, in the words of a malformed answer.
   */
  private void malformed(String endpoint, ConsulAnswerException problem) {
    if (warnedMalformed.size() < 1_000 && warnedMalformed.add(endpoint + problem.getMessage())) {
      log.warn("site {}: GET {}: malformed entry left out: {}", config.siteId(), endpoint, problem.getMessage());
    }
  }

  @Override
  public QueryResult<List<KvEntry>> kv(String prefix, long index, Duration wait) {
    List<UrlParameters> params = blocking(index, wait);
    params.add(new SingleUrlParameters("recurse"));
    StringBuilder path = new StringBuilder(kvPath(prefix));
    // Consul answers 404 when no key it lets the token see is there: with ACLs hiding some, that is a denial, not an
    // empty prefix (a policy watch must not take "cannot see" for "no policy").
    return get(path.toString(), params, ConsulJson::kv, List::isEmpty);
  }

  @Override
  public Optional<KvEntry> kvGet(String key) {
    // Not ?stale even when the site reads stale: a check-and-set after this read needs the leader's index.
    List<UrlParameters> params = new ArrayList<>();
    config.datacenter().ifPresent(dc -> params.add(new SingleUrlParameters("dc", dc)));
    QueryResult<List<KvEntry>> r = get(kvPath(key), params, ConsulJson::kv, List::isEmpty);
    return r.value().stream().filter(e -> e.key().equals(key)).findFirst();
  }

  @Override
  public boolean kvPut(String key, String value, OptionalLong cas) {
    String path = kvPath(key) + query(cas);
    return Boolean.parseBoolean(send("PUT", path, new StringEntity(value, StandardCharsets.UTF_8), 200).body().strip());
  }

  @Override
  public boolean kvDelete(String key, OptionalLong cas) {
    return Boolean.parseBoolean(send("DELETE", kvPath(key) + query(cas), null, 200).body().strip());
  }

  @Override
  public TxnResult txn(List<KvOp> ops) {
    JsonArray body = new JsonArray();
    for (KvOp op : ops) {
      JsonObject kv = new JsonObject();
      kv.addProperty("Verb", op.verb().wire);
      kv.addProperty("Key", op.key());
      op.value().ifPresent(v -> kv.addProperty("Value",
          Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
      if (op.index() > 0) {
        kv.addProperty("Index", op.index());
      }
      JsonObject wrapped = new JsonObject();
      wrapped.add("KV", kv);
      body.add(wrapped);
    }
    String path = "/v1/txn" + query(OptionalLong.empty());
    Sent sent = send("PUT", path, new StringEntity(body.toString(), ContentType.APPLICATION_JSON), 200, 409);
    try {
      return ConsulJson.txn(sent.body(), sent.status() == 200, sent.index());
    } catch (ConsulAnswerException e) {
      throw new ConsulQueryException(config.siteId(), "PUT", "/v1/txn", sent.status(), "malformed answer: " + e.getMessage(), e);
    }
  }

  private String kvPath(String key) {
    StringBuilder path = new StringBuilder("/v1/kv");
    for (String segment : key.split("/", -1)) {
      path.append('/').append(encode(segment));
    }
    return path.toString();
  }

  /** {@code ?dc=...&cas=...} for a write (never {@code stale}: writes go to the leader). */
  private String query(OptionalLong cas) {
    List<String> params = new ArrayList<>();
    config.datacenter().ifPresent(dc -> params.add("dc=" + encode(dc)));
    cas.ifPresent(c -> params.add("cas=" + c));
    return params.isEmpty() ? "" : "?" + String.join("&", params);
  }

  private record Sent(int status, String body, long index) {}

  /**
   * A write on the site's own HttpClient (its pool, token header and TLS); no answer, a 5xx or a 429 moves to the next
   * address, as reads do. A status outside {@code ok} is a {@link ConsulQueryException} naming the method and path.
   */
  private Sent send(String method, String path, org.apache.http.HttpEntity entity, int... ok) {
    int at = current.get();
    URI base = config.addresses().get(at % config.addresses().size());
    HttpEntityEnclosingRequestBase request = new HttpEntityEnclosingRequestBase() {
      @Override
      public String getMethod() {
        return method;
      }
    };
    request.setURI(URI.create(base.getScheme() + "://" + base.getHost() + ":" + base.getPort() + path));
    if (entity != null) {
      request.setEntity(entity);
    }
    try (CloseableHttpResponse response = http.execute(request)) {
      int status = response.getStatusLine().getStatusCode();
      String body = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
      for (int s : ok) {
        if (s == status) {
          Header index = response.getFirstHeader("X-Consul-Index");
          return new Sent(status, body, index == null ? 0 : parseIndex(index.getValue()));
        }
      }
      if (status >= 500 || status == 429) {
        current.compareAndSet(at, at + 1);
      }
      throw new ConsulQueryException(config.siteId(), method, pathOnly(path), status, body, null);
    } catch (IOException e) {
      current.compareAndSet(at, at + 1);
      throw new ConsulQueryException(config.siteId(), method, pathOnly(path), 0,
          e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  private static long parseIndex(String s) {
    try {
      return Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String pathOnly(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  private List<UrlParameters> common() {
    List<UrlParameters> params = new ArrayList<>();
    config.datacenter().ifPresent(dc -> params.add(new SingleUrlParameters("dc", dc)));
    if (config.consistency() == ConsistencyMode.STALE) {
      params.add(new SingleUrlParameters("stale"));
    }
    return params;
  }

  private List<UrlParameters> blocking(long index, Duration wait) {
    List<UrlParameters> params = common();
    if (index > 0) {
      params.add(new SingleUrlParameters("index", Long.toString(index)));
      params.add(new SingleUrlParameters("wait", wait.toMillis() + "ms"));
    }
    return params;
  }

  private <T> QueryResult<T> get(String endpoint, List<UrlParameters> params, Function<String, T> parse,
      Predicate<T> deniedIfFiltered) {
    int at = current.get();
    HttpResponse response;
    boolean filtered;
    try {
      ConsulHttpClients.ACL_FILTERED.set(false);
      response = clients.get(at % clients.size()).makeGetRequest(endpoint, params);
      filtered = ConsulHttpClients.ACL_FILTERED.get();
    } catch (TransportException e) {
      current.compareAndSet(at, at + 1);
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ConsulQueryException(config.siteId(), endpoint, 0, cause.getClass().getSimpleName() + ": " + cause.getMessage(), e);
    }
    int status = response.getStatusCode();
    boolean kvMissing = status == 404 && endpoint.startsWith("/v1/kv/");
    if (status != 200 && !kvMissing) {
      if (status >= 500 || status == 429) {
        current.compareAndSet(at, at + 1);
      }
      throw new ConsulQueryException(config.siteId(), endpoint, status, response.getContent(), null);
    }
    T value;
    try {
      value = parse.apply(kvMissing ? "[]" : response.getContent());
    } catch (ConsulAnswerException e) {
      throw new ConsulQueryException(config.siteId(), endpoint, status, "malformed answer: " + e.getMessage(), e);
    }
    if (filtered && deniedIfFiltered.test(value)) {
      throw new ConsulQueryException(config.siteId(), endpoint, 403,
          "every result hidden by ACLs (" + ConsulHttpClients.FILTERED_HEADER + ")", null);
    }
    if (filtered && warnedFiltered.compareAndSet(false, true)) {
      log.warn("site {}: the token cannot read everything: ACLs hide part of {}", config.siteId(), endpoint);
    }
    Long index = response.getConsulIndex();
    Boolean leader = response.isConsulKnownLeader();
    Long lastContact = response.getConsulLastContact();
    return new QueryResult<>(value, index == null ? 0 : index, leader == null || leader,
        Duration.ofMillis(lastContact == null ? 0 : lastContact));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public void close() {
    try {
      http.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
