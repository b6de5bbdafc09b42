package dev.selat.controlplane.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies {@code SELAT_*} variables to the parsed YAML tree before it is read, so that an overridden value is validated
 * exactly like one from the file. Every variable name is derived from {@link Schema}:
 * <ul>
 *   <li>{@code SELAT_} + the key path, each key in UPPER_SNAKE ({@code routing.hysteresis.dwell} ->
 *       {@code SELAT_ROUTING_HYSTERESIS_DWELL}); a site or link is named by its id or name, uppercased with {@code -}
 *       as {@code _} ({@code sites[id=alibaba-sg].startBudget} -> {@code SELAT_SITES_ALIBABA_SG_START_BUDGET}); lists
 *       are comma-separated. Only sites and links the file declares can be overridden.</li>
 *   <li>Consul's standard variables per site, prefixed {@code SELAT_SITE_<ID>_} ({@code SELAT_SITE_ALIBABA_SG_CONSUL_HTTP_ADDR});
 *       with exactly one site, the unprefixed ones too (the prefixed win). These are handed to consul-bridge's
 *       {@code SiteConfig.fromEnv} with the prefix stripped.</li>
 * </ul>
 * A variable under one of these prefixes that matches nothing is a problem (a typo must not be ignored).
 */
final class EnvOverrides {
  /** The Consul variables of one site, by standard name, and the variable each came from. */
  record SiteEnv(Map<String, String> values, Map<String, String> sources) {
    static final SiteEnv NONE = new SiteEnv(Map.of(), Map.of());

    boolean isEmpty() {
      return values.isEmpty();
    }
  }

  private static final String SITE_PREFIX = "SELAT_SITE_";

  private final Map<String, String> env;
  private final Map<String, String> origins; // field path -> variable, filled here, read by Problems
  private final List<ConfigException.Problem> problems = new ArrayList<>();
  private final Map<String, String> known = new HashMap<>(); // variable -> field path
  private final Map<Integer, SiteEnv> siteEnv = new HashMap<>();

  private EnvOverrides(Map<String, String> env, Map<String, String> origins) {
    this.env = new TreeMap<>(env); // sorted: deterministic problem order
    this.origins = origins;
  }

  /** Rewrites {@code root} in place; records each overridden path in {@code origins}. */
  static EnvOverrides apply(ObjectNode root, Map<String, String> env, Map<String, String> origins) {
    EnvOverrides o = new EnvOverrides(env, origins);
    o.walk(root, Schema.ROOT, "", List.of(), new ArrayList<>());
    o.collectSiteConsulEnv(root);
    o.reportUnknown();
    return o;
  }

  List<ConfigException.Problem> problems() {
    return problems;
  }

  SiteEnv siteEnv(int siteIndex) {
    return siteEnv.getOrDefault(siteIndex, SiteEnv.NONE);
  }

  /** {@code steps}: the keys (String) and list indexes (Integer) from the root to {@code obj}'s node. */
  private void walk(ObjectNode root, Schema.Obj obj, String path, List<String> segments, List<Object> steps) {
    JsonNode here = at(root, steps);
    obj.keys().forEach((key, shape) -> {
      String childPath = path.isEmpty() ? key : path + "." + key;
      List<String> childSegments = append(segments, key);
      List<Object> childSteps = append(steps, key);
      switch (shape) {
        case Schema.Scalar s -> leaf(root, Schema.envName(childSegments.toArray(String[]::new)), childPath, childSteps, false);
        case Schema.ScalarList l -> leaf(root, Schema.envName(childSegments.toArray(String[]::new)), childPath, childSteps, true);
        case Schema.Obj o -> walk(root, o, childPath, childSegments, childSteps);
        case Schema.Keyed k -> {
          JsonNode list = here == null ? null : here.get(key);
          if (list != null && list.isArray()) {
            // Valid ids and names ([a-z0-9-]) map to distinct segments; a repeated one is the loader's to report.
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < list.size(); i++) {
              JsonNode id = list.get(i).get(k.idKey());
              if (list.get(i).isObject() && id != null && id.isValueNode() && !id.asText().isBlank()
                  && seen.add(Schema.envSegment(id.asText()))) {
                Map<String, Schema.Shape> keys = new LinkedHashMap<>(k.element().keys());
                keys.remove(k.idKey()); // the id names the element; it is not overridable
                walk(root, new Schema.Obj(keys), childPath + "[" + i + "]", append(childSegments, id.asText()),
                    append(childSteps, i));
              }
            }
          }
        }
      }
    });
  }

  private void leaf(ObjectNode root, String name, String path, List<Object> steps, boolean list) {
    known.put(name, path);
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return; // empty is unset, as for Consul's own variables
    }
    ObjectNode parent = parentCreating(root, steps, path, name);
    if (parent == null) {
      return;
    }
    String key = (String) steps.get(steps.size() - 1);
    if (list) {
      ArrayNode items = parent.putArray(key);
      for (String part : value.split(",", -1)) {
        if (!part.isBlank()) {
          items.add(part.strip());
        }
      }
    } else {
      parent.set(key, TextNode.valueOf(value.strip()));
    }
    origins.put(path, name);
  }

  private ObjectNode parentCreating(ObjectNode root, List<Object> steps, String path, String name) {
    JsonNode node = root;
    for (int i = 0; i < steps.size() - 1; i++) {
      Object step = steps.get(i);
      JsonNode next = step instanceof Integer idx ? node.get(idx) : node.get((String) step);
      if ((next == null || next.isNull()) && step instanceof String) {
        next = JsonNodeFactory.instance.objectNode();
        ((ObjectNode) node).set((String) step, next);
      }
      boolean indexNext = steps.get(i + 1) instanceof Integer;
      if (indexNext ? !next.isArray() : !next.isObject()) {
        problems.add(new ConfigException.Problem(path, "cannot apply " + name + ": its parent in the file is not a mapping"));
        return null;
      }
      node = next;
    }
    return (ObjectNode) node;
  }

  private static JsonNode at(JsonNode root, List<Object> steps) {
    JsonNode node = root;
    for (Object step : steps) {
      if (node == null) {
        return null;
      }
      node = step instanceof Integer idx ? node.get(idx) : node.get((String) step);
    }
    return node;
  }

  /** Consul's standard variables per site: prefixed ones for every site, unprefixed ones when there is exactly one. */
  private void collectSiteConsulEnv(ObjectNode root) {
    JsonNode sites = root.get("sites");
    if (sites == null || !sites.isArray()) {
      return;
    }
    Map<String, Integer> byPrefix = new HashMap<>();
    for (int i = 0; i < sites.size(); i++) {
      JsonNode id = sites.get(i).get("id");
      if (id != null && id.isValueNode() && !id.asText().isBlank()) {
        byPrefix.putIfAbsent(SITE_PREFIX + Schema.envSegment(id.asText()) + "_", i);
      }
    }
    Map<Integer, Map<String, String>> values = new HashMap<>();
    Map<Integer, Map<String, String>> sources = new HashMap<>();
    if (sites.size() == 1 && byPrefix.containsValue(0)) {
      env.forEach((k, v) -> {
        if (k.startsWith("CONSUL_")) {
          values.computeIfAbsent(0, x -> new HashMap<>()).put(k, v);
          sources.computeIfAbsent(0, x -> new HashMap<>()).put(k, k);
        }
      });
    }
    env.forEach((k, v) -> {
      if (!k.startsWith(SITE_PREFIX)) {
        return;
      }
      // The longest site prefix wins: ids "a" and "a-b" both prefix SELAT_SITE_A_B_CONSUL_HTTP_ADDR.
      String best = null;
      for (String prefix : byPrefix.keySet()) {
        if (k.startsWith(prefix) && k.substring(prefix.length()).startsWith("CONSUL_")
            && (best == null || prefix.length() > best.length())) {
          best = prefix;
        }
      }
      if (best != null) {
        int site = byPrefix.get(best);
        String standard = k.substring(best.length());
        values.computeIfAbsent(site, x -> new HashMap<>()).put(standard, v);
        sources.computeIfAbsent(site, x -> new HashMap<>()).put(standard, k);
        known.put(k, "sites[" + site + "].consul");
      }
    });
    values.forEach((site, vals) -> siteEnv.put(site, new SiteEnv(Map.copyOf(vals), Map.copyOf(sources.get(site)))));
  }

  private void reportUnknown() {
    List<String> prefixes = new ArrayList<>();
    Schema.ROOT.keys().keySet().forEach(k -> prefixes.add(Schema.envName(k) + "_"));
    prefixes.add(SITE_PREFIX);
    env.keySet().forEach(name -> {
      if (!known.containsKey(name) && prefixes.stream().anyMatch(name::startsWith)) {
        problems.add(new ConfigException.Problem(name, name.startsWith(SITE_PREFIX)
            ? "no site in the file has this id, or the rest is not a CONSUL_* variable (SELAT_SITE_<ID>_CONSUL_HTTP_ADDR, ...)"
            : "matches no configuration key, or names a site or link the file does not declare"));
      }
    });
  }

  private static <T> List<T> append(List<T> list, T item) {
    List<T> out = new ArrayList<>(list);
    out.add(item);
    return out;
  }
}
