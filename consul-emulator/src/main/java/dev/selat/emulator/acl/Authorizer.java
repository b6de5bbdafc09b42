package dev.selat.emulator.acl;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Answers "may this token do that": exact rules beat prefix rules, the longest prefix wins, and an
 * unmatched request falls back to the default policy (allow or deny). ACL management ("acl")
 * needs a management token or an explicit acl rule, as in Consul.
 */
public final class Authorizer {
  private final String accessorId;
  private final boolean management;
  private final boolean defaultAllow;
  private final Map<Resource, TreeMap<String, Access>> exact = new EnumMap<>(Resource.class);
  private final Map<Resource, TreeMap<String, Access>> prefix = new EnumMap<>(Resource.class);

  private Authorizer(String accessorId, boolean management, boolean defaultAllow, List<Rules> rules) {
    this.accessorId = accessorId;
    this.management = management;
    this.defaultAllow = defaultAllow;
    for (Rules r : rules) {
      for (Rules.Rule rule : r.rules()) {
        Map<Resource, TreeMap<String, Access>> target = rule.prefix() ? prefix : exact;
        target.computeIfAbsent(rule.resource(), k -> new TreeMap<>()).merge(rule.name(), rule.access(), Access::merge);
      }
    }
  }

  /** Everything allowed (ACLs disabled, or the management token). */
  public static Authorizer allowAll(String accessorId, boolean management) {
    return new Authorizer(accessorId, management, true, List.of());
  }

  public static Authorizer of(String accessorId, boolean defaultAllow, List<Rules> policies) {
    return new Authorizer(accessorId, false, defaultAllow, policies);
  }

  public String accessorId() {
    return accessorId;
  }

  public boolean allowed(Resource resource, String name, Access need) {
    if (management) {
      return true;
    }
    Access granted = resolve(resource, name);
    if (granted != null) {
      return granted.allows(need);
    }
    if (resource == Resource.ACL) {
      return false;
    }
    return defaultAllow;
  }

  /** Write on every key under a prefix (recursive delete): no deny or read-only rule below it. */
  public boolean allowedKeyWritePrefix(String keyPrefix) {
    if (!allowed(Resource.KEY, keyPrefix, Access.WRITE)) {
      return false;
    }
    for (TreeMap<String, Access> m : List.of(exact.getOrDefault(Resource.KEY, new TreeMap<>()),
        prefix.getOrDefault(Resource.KEY, new TreeMap<>()))) {
      for (Map.Entry<String, Access> e : m.tailMap(keyPrefix, true).entrySet()) {
        if (!e.getKey().startsWith(keyPrefix)) {
          break;
        }
        if (!e.getValue().allows(Access.WRITE)) {
          return false;
        }
      }
    }
    return true;
  }

  private Access resolve(Resource resource, String name) {
    if (!resource.named()) {
      TreeMap<String, Access> m = exact.get(resource);
      return m == null ? null : m.get("");
    }
    TreeMap<String, Access> ex = exact.get(resource);
    if (ex != null && ex.containsKey(name)) {
      return ex.get(name);
    }
    TreeMap<String, Access> px = prefix.get(resource);
    if (px == null) {
      return null;
    }
    for (int len = name.length(); len >= 0; len--) {
      Access a = px.get(name.substring(0, len));
      if (a != null) {
        return a;
      }
    }
    return null;
  }
}
