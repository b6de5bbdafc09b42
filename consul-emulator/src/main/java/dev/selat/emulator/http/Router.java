package dev.selat.emulator.http;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Paths to endpoints the way Go's ServeMux (and so Consul) matches them: a path ending in "/" is a
 * prefix (the longest wins) and the endpoint gets the remainder; other paths match exactly.
 */
public final class Router {
  /** An endpoint; it may block (it runs on a virtual thread). */
  @FunctionalInterface
  public interface Endpoint {
    Reply handle(Call call) throws Exception;
  }

  record Route(Set<String> methods, Endpoint endpoint) {}

  record Match(Route route, String rest) {}

  private final Map<String, Route> exact = new HashMap<>();
  private final TreeMap<String, Route> prefixes = new TreeMap<>();

  public Router get(String path, Endpoint e) {
    return route(path, Set.of("GET", "HEAD"), e);
  }

  public Router put(String path, Endpoint e) {
    return route(path, Set.of("PUT", "POST"), e);
  }

  public Router delete(String path, Endpoint e) {
    return route(path, Set.of("DELETE"), e);
  }

  public Router route(String path, Set<String> methods, Endpoint e) {
    Route r = new Route(methods, e);
    if ((path.endsWith("/") ? prefixes.put(path, r) : exact.put(path, r)) != null) {
      throw new IllegalStateException("route registered twice: " + path);
    }
    return this;
  }

  Match match(String path) {
    Route r = exact.get(path);
    if (r != null) {
      return new Match(r, "");
    }
    for (int i = path.lastIndexOf('/'); i >= 0; i = i == 0 ? -1 : path.lastIndexOf('/', i - 1)) {
      Route p = prefixes.get(path.substring(0, i + 1));
      if (p != null) {
        return new Match(p, path.substring(i + 1));
      }
    }
    return null;
  }
}
