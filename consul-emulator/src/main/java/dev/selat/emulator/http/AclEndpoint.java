package dev.selat.emulator.http;

import dev.selat.emulator.acl.Access;
import dev.selat.emulator.acl.AclResolver;
import dev.selat.emulator.acl.Resource;
import dev.selat.emulator.acl.Rules;
import dev.selat.emulator.state.AclPolicy;
import dev.selat.emulator.state.AclToken;
import dev.selat.emulator.state.MetaEntry;
import dev.selat.emulator.state.Table;
import dev.selat.emulator.state.Watches.WatchSet;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** /v1/acl/*: bootstrap, policy CRUD, token CRUD (+ self, clone), lists. 401 when ACLs are disabled. */
final class AclEndpoint {
  private static final Duration MIN_EXPIRATION_TTL = Duration.ofMinutes(1);
  private static final Duration MAX_EXPIRATION_TTL = Duration.ofHours(24);
  private static final Pattern POLICY_NAME = Pattern.compile("^[A-Za-z0-9\\-_]{1,128}$");
  private final Site site;

  AclEndpoint(Site site) {
    this.site = site;
  }

  void routes(Router r) {
    r.put("/v1/acl/bootstrap", this::bootstrap);
    r.put("/v1/acl/policy", c -> writePolicy(c, null));
    r.route("/v1/acl/policy/", java.util.Set.of("GET", "PUT", "DELETE"), this::policy);
    r.get("/v1/acl/policies", this::policies);
    r.put("/v1/acl/token", c -> writeToken(c, null));
    r.route("/v1/acl/token/", java.util.Set.of("GET", "PUT", "DELETE"), this::token);
    r.get("/v1/acl/tokens", this::tokens);
  }

  /** 401 when ACLs are off (checked first, as Consul's handlers do), then the ?dc= every ACL RPC forwards on. */
  private void enabled(Call c) {
    if (!site.acls().enabled()) {
      throw new HttpError(401, "ACL support disabled");
    }
    site.checkDc(c);
  }

  private Reply bootstrap(Call c) {
    enabled(c);
    String now = site.clock().instant().toString();
    AclToken t = site.store().write(tx -> {
      Optional<MetaEntry> done = tx.get(Table.META, AclResolver.BOOTSTRAP_META);
      if (done.isPresent()) {
        throw new HttpError(403, "Permission denied: ACL bootstrap no longer allowed (reset index: "
            + done.get().value() + ")");
      }
      String accessor = UUID.randomUUID().toString();
      AclToken token = new AclToken(accessor, UUID.randomUUID().toString(), "Bootstrap Token (Global Management)",
          List.of(AclResolver.MANAGEMENT_POLICY_ID), List.of(), false, now, tx.txIndex(), tx.txIndex());
      tx.put(Table.ACL_TOKENS, accessor, token);
      tx.put(Table.META, AclResolver.BOOTSTRAP_META, new MetaEntry(AclResolver.BOOTSTRAP_META, tx.txIndex()));
      return token;
    });
    return Reply.json(tokenView(t, true));
  }

  private Reply policy(Call c) {
    enabled(c);
    String rest = c.required("policy ID");
    if (c.method().equals("PUT")) {
      return writePolicy(c, rest);
    }
    if (c.method().equals("DELETE")) {
      c.require(Resource.ACL, "", Access.WRITE);
      if (rest.equals(AclResolver.MANAGEMENT_POLICY_ID)) {
        throw HttpError.badRequest("Delete operation not permitted on the builtin global-management policy");
      }
      site.store().write(tx -> {
        tx.delete(Table.ACL_POLICIES, rest);
        return null;
      });
      return Reply.json(true);
    }
    c.require(Resource.ACL, "", Access.READ);
    boolean byName = rest.startsWith("name/");
    String key = byName ? rest.substring(5) : rest;
    return found(Blocking.run(c, site.store(), r -> {
      Optional<AclPolicy> p = byName
          ? r.<AclPolicy>all(Table.ACL_POLICIES).stream().filter(x -> x.name().equals(key)).findFirst()
          : r.get(Table.ACL_POLICIES, key);
      return new Blocking.Answer(p.map(AclEndpoint::policyView).orElse(null), r.index("acl-policies"),
          WatchSet.of("acl-policies"));
    }), "ACL policy not found");
  }

  private Reply writePolicy(Call c, String id) {
    enabled(c);
    c.require(Resource.ACL, "", Access.WRITE);
    Body b = Body.parse(c.body(), "ACLPolicy");
    String name = b.str("Name");
    if (!POLICY_NAME.matcher(name).matches()) {
      throw HttpError.badRequest("Invalid Policy: invalid Name");
    }
    Rules.parse(b.str("Rules"));
    String policyId = id != null ? id : b.str("ID").isEmpty() ? UUID.randomUUID().toString() : b.str("ID");
    AclPolicy p = site.store().write(tx -> {
      Optional<AclPolicy> old = tx.get(Table.ACL_POLICIES, policyId);
      if (id != null && old.isEmpty()) {
        throw HttpError.badRequest("Invalid Policy: Cannot find policy " + policyId);
      }
      boolean clash = tx.<AclPolicy>all(Table.ACL_POLICIES).stream()
          .anyMatch(x -> x.name().equals(name) && !x.id().equals(policyId));
      if (clash) {
        throw HttpError.badRequest("Invalid Policy: A Policy with Name \"" + name + "\" already exists");
      }
      AclPolicy np = new AclPolicy(policyId, name, b.str("Description"), b.str("Rules"), b.strings("Datacenters"),
          old.map(AclPolicy::createIndex).orElse(tx.txIndex()), tx.txIndex());
      tx.put(Table.ACL_POLICIES, policyId, np);
      return np;
    });
    return Reply.json(policyView(p));
  }

  private Reply policies(Call c) {
    enabled(c);
    c.require(Resource.ACL, "", Access.READ);
    return Blocking.run(c, site.store(), r -> {
      List<Object> out = new ArrayList<>();
      for (AclPolicy p : r.<AclPolicy>all(Table.ACL_POLICIES)) {
        Map<String, Object> v = policyView(p);
        v.remove("Rules");
        out.add(v);
      }
      return new Blocking.Answer(out, r.index("acl-policies"), WatchSet.of("acl-policies"));
    });
  }

  private Reply token(Call c) {
    enabled(c);
    String rest = c.required("token ID");
    if (rest.equals("self")) {
      String secret = c.token();
      AclToken t = site.store().read(r -> AclResolver.findBySecret(r.all(Table.ACL_TOKENS), secret))
          .filter(x -> !x.expiredAt(site.clock().instant()))
          .orElseThrow(() -> new HttpError(403, "ACL not found"));
      return Reply.json(tokenView(t, true));
    }
    if (rest.endsWith("/clone") && c.method().equals("PUT")) {
      return clone(c, rest.substring(0, rest.length() - "/clone".length()));
    }
    if (c.method().equals("PUT")) {
      return writeToken(c, rest);
    }
    if (c.method().equals("DELETE")) {
      c.require(Resource.ACL, "", Access.WRITE);
      if (rest.equals(AclResolver.ANONYMOUS_ACCESSOR)) {
        throw HttpError.badRequest("Delete operation not permitted on the anonymous token");
      }
      site.store().write(tx -> {
        tx.delete(Table.ACL_TOKENS, rest);
        return null;
      });
      return Reply.json(true);
    }
    c.require(Resource.ACL, "", Access.READ);
    boolean secrets = c.authz().allowed(Resource.ACL, "", Access.WRITE);
    return found(Blocking.run(c, site.store(), r -> new Blocking.Answer(r.<AclToken>get(Table.ACL_TOKENS, rest)
        .filter(t -> !t.expiredAt(site.clock().instant())).map(t -> tokenView(t, secrets)).orElse(null), r.index("acl-tokens"), WatchSet.of("acl-tokens"))),
        "ACL token not found");
  }

  private Reply clone(Call c, String accessor) {
    c.require(Resource.ACL, "", Access.WRITE);
    Body b = c.body().length == 0 ? Body.of(null, "") : Body.parse(c.body(), "ACLToken");
    String now = site.clock().instant().toString();
    AclToken t = site.store().write(tx -> {
      AclToken src = tx.<AclToken>get(Table.ACL_TOKENS, accessor)
          .orElseThrow(() -> HttpError.notFound("Cannot find token to clone"));
      String id = UUID.randomUUID().toString();
      AclToken n = new AclToken(id, UUID.randomUUID().toString(),
          b.str("Description").isEmpty() ? src.description() : b.str("Description"), src.policyIds(),
          src.serviceIdentities(), src.nodeIdentities(), src.local(), now, src.expirationTime(), tx.txIndex(),
          tx.txIndex());
      tx.put(Table.ACL_TOKENS, id, n);
      return n;
    });
    return Reply.json(tokenView(t, true));
  }

  private Reply writeToken(Call c, String accessorFromPath) {
    enabled(c);
    c.require(Resource.ACL, "", Access.WRITE);
    Body b = Body.parse(c.body(), "ACLToken");
    if (accessorFromPath != null && !b.str("AccessorID").isEmpty() && !b.str("AccessorID").equals(accessorFromPath)) {
      throw HttpError.badRequest("Token Accessor ID in URL and payload do not match");
    }
    String now = site.clock().instant().toString();
    AclToken t = site.store().write(tx -> {
      String accessor = accessorFromPath != null ? accessorFromPath
          : b.str("AccessorID").isEmpty() ? UUID.randomUUID().toString() : b.str("AccessorID");
      Optional<AclToken> old = tx.get(Table.ACL_TOKENS, accessor);
      if (accessorFromPath != null && old.isEmpty()) {
        throw HttpError.badRequest("Cannot find token " + accessor);
      }
      if (accessorFromPath == null && old.isPresent()) {
        throw HttpError.badRequest("Invalid Token: AccessorID is already in use");
      }
      java.util.Set<String> policyIds = new java.util.LinkedHashSet<>();
      for (Body link : b.objs("Policies")) {
        String pid = link.str("ID");
        if (pid.isEmpty()) {
          pid = tx.<AclPolicy>all(Table.ACL_POLICIES).stream().filter(p -> p.name().equals(link.str("Name")))
              .map(AclPolicy::id).findFirst()
              .orElseThrow(() -> HttpError.badRequest("No such ACL policy with name \"" + link.str("Name") + "\""));
        } else if (tx.get(Table.ACL_POLICIES, pid).isEmpty()) {
          throw HttpError.badRequest("No such ACL policy with ID \"" + pid + "\"");
        }
        policyIds.add(pid);
      }
      String secret = old.map(AclToken::secretId)
          .orElse(b.str("SecretID").isEmpty() ? UUID.randomUUID().toString() : b.str("SecretID"));
      List<String> identities = b.objs("ServiceIdentities").stream().map(i -> i.str("ServiceName")).toList();
      List<AclToken.NodeIdentity> nodes = nodeIdentities(b);
      String expiration = old.isPresent() ? unchangedExpiration(b, old.get()) : expiration(b, site.clock().instant());
      AclToken n = new AclToken(accessor, secret, b.str("Description"), List.copyOf(policyIds), identities, nodes,
          b.bool("Local"), old.map(AclToken::createTime).orElse(now), expiration,
          old.map(AclToken::createIndex).orElse(tx.txIndex()), tx.txIndex());
      tx.put(Table.ACL_TOKENS, accessor, n);
      return n;
    });
    return Reply.json(tokenView(t, true));
  }

  /** NodeIdentities: both fields required (ACL.TokenSet's validation, an RPC error: 500). */
  private static List<AclToken.NodeIdentity> nodeIdentities(Body b) {
    List<AclToken.NodeIdentity> out = new ArrayList<>();
    for (Body n : b.objs("NodeIdentities")) {
      if (n.str("NodeName").isEmpty()) {
        throw new HttpError(500, "Node identity is missing the node name field on this token");
      }
      if (n.str("Datacenter").isEmpty()) {
        throw new HttpError(500, "Node identity is missing the datacenter field on this token");
      }
      out.add(new AclToken.NodeIdentity(n.str("NodeName"), n.str("Datacenter")));
    }
    return out;
  }

  /**
   * A new token's ExpirationTime, from ExpirationTTL (a Go duration or nanoseconds) or given, within
   * Consul's defaults acl.token_min_expiration_ttl (1m) and token_max_expiration_ttl (24h); null: never.
   */
  private static String expiration(Body b, Instant created) {
    Duration ttl = Duration.ZERO;
    JsonNode rawTtl = b.raw("ExpirationTTL");
    if (rawTtl.isNumber()) {
      ttl = Duration.ofNanos(rawTtl.asLong());
    } else if (rawTtl.isTextual() && !rawTtl.asText().isEmpty()) {
      try {
        ttl = GoDuration.parse(rawTtl.asText());
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest("Request decode failed: " + e.getMessage());
      }
    }
    String at = b.str("ExpirationTime");
    if (ttl.isNegative()) {
      throw new HttpError(500, "Token Expiration TTL '" + GoDuration.format(ttl) + "' should be > 0");
    }
    Instant expires;
    if (ttl.isPositive()) {
      if (!at.isEmpty()) {
        throw new HttpError(500, "Token Expiration TTL and Expiration Time cannot both be set");
      }
      expires = created.plus(ttl);
    } else if (!at.isEmpty()) {
      try {
        expires = java.time.OffsetDateTime.parse(at).toInstant();
      } catch (java.time.format.DateTimeParseException e) {
        throw HttpError.badRequest("Request decode failed: parsing time \"" + at + "\" as RFC 3339: " + e.getMessage());
      }
    } else {
      return null;
    }
    if (expires.isBefore(created)) {
      throw new HttpError(500, "ExpirationTime cannot be before CreateTime");
    }
    Duration in = Duration.between(created, expires);
    if (in.compareTo(MAX_EXPIRATION_TTL) > 0) {
      throw new HttpError(500, "ExpirationTime cannot be more than " + GoDuration.format(MAX_EXPIRATION_TTL)
          + " in the future (was " + GoDuration.format(in) + ")");
    }
    if (in.compareTo(MIN_EXPIRATION_TTL) < 0) {
      throw new HttpError(500, "ExpirationTime cannot be less than " + GoDuration.format(MIN_EXPIRATION_TTL)
          + " in the future (was " + GoDuration.format(in) + ")");
    }
    return expires.toString();
  }

  /** An update may restate a token's expiry but not change it (Consul: "Cannot change expiration time"). */
  private static String unchangedExpiration(Body b, AclToken old) {
    String at = b.str("ExpirationTime");
    boolean ttl = b.present("ExpirationTTL") && !(b.raw("ExpirationTTL").isNumber() && b.raw("ExpirationTTL").asLong() == 0)
        && !(b.raw("ExpirationTTL").isTextual() && b.raw("ExpirationTTL").asText().isEmpty());
    if (ttl) {
      throw new HttpError(500, "Cannot change expiration time of " + old.accessorId());
    }
    if (!at.isEmpty() && (old.expirationTime() == null
        || !java.time.OffsetDateTime.parse(at).toInstant().equals(Instant.parse(old.expirationTime())))) {
      throw new HttpError(500, "Cannot change expiration time of " + old.accessorId());
    }
    return old.expirationTime();
  }

  private Reply tokens(Call c) {
    enabled(c);
    c.require(Resource.ACL, "", Access.READ);
    boolean secrets = c.authz().allowed(Resource.ACL, "", Access.WRITE);
    String policy = c.param("policy");
    String serviceName = c.param("servicename");
    String nodeName = c.param("nodename");
    Instant now = site.clock().instant();
    long filters = java.util.stream.Stream.of("policy", "role", "servicename", "nodename", "authmethod")
        .filter(c::has).count();
    if (filters > 1) {
      throw HttpError.badRequest(
          "can only filter by one of policy, role, serviceName, nodeName, or authMethod at a time");
    }
    return Blocking.run(c, site.store(), r -> {
      List<Object> out = new ArrayList<>();
      for (AclToken t : r.<AclToken>all(Table.ACL_TOKENS)) {
        if (!t.expiredAt(now) && (policy == null || t.policyIds().contains(policy))
            && (serviceName == null || t.serviceIdentities().contains(serviceName))
            && (nodeName == null || t.nodeIdentities().stream().anyMatch(n -> n.nodeName().equals(nodeName)))) {
          out.add(tokenView(t, secrets));
        }
      }
      return new Blocking.Answer(out, r.index("acl-tokens"), WatchSet.of("acl-tokens"));
    });
  }

  private static Reply found(Reply r, String notFound) {
    return r.json() == null ? Reply.text(403, notFound) : r;
  }

  private Map<String, Object> tokenView(AclToken t, boolean withSecret) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("AccessorID", t.accessorId());
    m.put("SecretID", withSecret ? t.secretId() : "<hidden>");
    m.put("Description", t.description());
    List<Map<String, Object>> links = new ArrayList<>();
    site.store().read(r -> {
      for (String id : t.policyIds()) {
        r.<AclPolicy>get(Table.ACL_POLICIES, id).ifPresent(p -> links.add(Map.of("ID", p.id(), "Name", p.name())));
      }
      return null;
    });
    m.put("Policies", links.isEmpty() ? null : links);
    m.put("ServiceIdentities", t.serviceIdentities().isEmpty() ? null
        : t.serviceIdentities().stream().map(n -> Map.of("ServiceName", n)).toList());
    m.put("NodeIdentities", t.nodeIdentities().isEmpty() ? null : t.nodeIdentities().stream()
        .map(n -> {
          Map<String, Object> v = new LinkedHashMap<>();
          v.put("NodeName", n.nodeName());
          v.put("Datacenter", n.datacenter());
          return v;
        }).toList());
    m.put("Local", t.local());
    if (t.expirationTime() != null) {
      m.put("ExpirationTime", t.expirationTime());
    }
    m.put("CreateTime", t.createTime());
    m.put("Hash", Blocking.hash(List.of(t.description(), t.policyIds(), t.local())));
    m.put("CreateIndex", t.createIndex());
    m.put("ModifyIndex", t.modifyIndex());
    return m;
  }

  private static Map<String, Object> policyView(AclPolicy p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ID", p.id());
    m.put("Name", p.name());
    m.put("Description", p.description());
    m.put("Rules", p.rules());
    m.put("Datacenters", p.datacenters().isEmpty() ? null : p.datacenters());
    m.put("Hash", Blocking.hash(List.of(p.name(), p.description(), p.rules())));
    m.put("CreateIndex", p.createIndex());
    m.put("ModifyIndex", p.modifyIndex());
    return m;
  }
}
