package dev.selat.controlplane.config;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keys of the YAML file, once: the loader refuses any other key, and {@link EnvOverrides} derives every
 * {@code SELAT_*} variable name from this tree.
 */
final class Schema {
  sealed interface Shape permits Scalar, ScalarList, Obj, Keyed {}

  /** A string, number, boolean or duration. {@code secret}: its value is never shown. */
  record Scalar(boolean secret) implements Shape {}

  /** A list of scalars; from the environment, comma-separated. */
  record ScalarList() implements Shape {}

  record Obj(Map<String, Shape> keys) implements Shape {
    Shape key(String name) {
      Shape s = keys.get(name);
      if (s == null) {
        throw new IllegalStateException("not in the schema: " + name);
      }
      return s;
    }
  }

  /** A list of objects identified by {@code idKey} ({@code sites} by id, {@code links} by name). */
  record Keyed(String idKey, Obj element) implements Shape {}

  private static final Scalar S = new Scalar(false);

  static final Obj TLS = obj("caFile", S, "certFile", S, "keyFile", S, "serverName", S, "insecureSkipVerify", S);
  static final Obj CONSUL = obj("addresses", new ScalarList(), "datacenter", S, "scheme", S, "token", new Scalar(true),
      "tokenFile", S, "tls", TLS, "consistency", S, "maxStale", S, "maxConnections", S,
      "blockingWait", S, "rateLimit", obj("burst", S, "refill", S));
  static final Obj STALENESS = obj("budget", S, "mode", S);
  static final Obj GATEWAY_FROM = obj("site", S, "address", S);
  static final Obj GATEWAY = obj("address", S, "from", new Keyed("site", GATEWAY_FROM));
  static final Obj SITE = obj("id", S, "region", S, "consul", CONSUL, "staleness", STALENESS, "startBudget", S,
      "gateway", GATEWAY);
  static final Obj LINK = obj("name", S, "sites", new ScalarList(), "nominalRtt", S);
  static final Obj HYSTERESIS = obj("threshold", S, "dwell", S, "settle", S);
  static final Obj ROUTING = obj("tolerance", S, "hysteresis", HYSTERESIS, "overprovisioningFactor", S, "debounce", S,
      "maxDelay", S);
  static final Obj LATENCY = obj("probeService", S, "staleAfter", S, "staleBudget", S);
  static final Obj ENDPOINT = obj("address", S, "port", S);
  static final Obj API_TLS = obj("certFile", S, "keyFile", S, "clientCaFile", S);
  static final Obj API = obj("address", S, "port", S, "tls", API_TLS);
  static final Obj PORTS = obj("xds", ENDPOINT, "admin", ENDPOINT, "api", API);
  static final Obj ADMIN = obj("token", new Scalar(true), "tokenFile", S);
  static final Obj ROOT = obj("sites", new Keyed("id", SITE), "links", new Keyed("name", LINK), "routing", ROUTING,
      "latency", LATENCY, "ports", PORTS, "admin", ADMIN);

  private Schema() {}

  private static Obj obj(Object... pairs) {
    Map<String, Shape> keys = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      keys.put((String) pairs[i], (Shape) pairs[i + 1]);
    }
    return new Obj(java.util.Collections.unmodifiableMap(keys));
  }

  /** {@code overprovisioningFactor} -> {@code OVERPROVISIONING_FACTOR}; an id {@code alibaba-sg} -> {@code ALIBABA_SG}. */
  static String envSegment(String keyOrId) {
    StringBuilder b = new StringBuilder();
    for (char c : keyOrId.toCharArray()) {
      if (Character.isUpperCase(c) && !b.isEmpty()) {
        b.append('_');
      }
      b.append(c == '-' || c == '.' ? '_' : Character.toUpperCase(c));
    }
    return b.toString();
  }

  static String envName(String... segments) {
    return "SELAT_" + String.join("_", Arrays.stream(segments).map(Schema::envSegment).toList());
  }
}
