package dev.selat.emulator.http;

import dev.selat.emulator.acl.Access;
import dev.selat.emulator.acl.Resource;
import dev.selat.emulator.state.Kv;
import dev.selat.emulator.state.KvEntry;
import dev.selat.emulator.state.Watches.WatchSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** /v1/kv/: get (recurse, keys, separator, raw), put (cas, flags, acquire, release), delete (recurse, cas). */
final class KvEndpoint {
  private final Site site;

  KvEndpoint(Site site) {
    this.site = site;
  }

  void routes(Router r) {
    r.route("/v1/kv/", java.util.Set.of("GET", "HEAD", "PUT", "POST", "DELETE"), c -> switch (c.method()) {
      case "PUT", "POST" -> put(c);
      case "DELETE" -> delete(c);
      default -> get(c);
    });
  }

  private Reply get(Call c) {
    site.checkDc(c);
    String key = c.rest();
    if (c.has("keys")) {
      return keys(c, key);
    }
    if (c.has("recurse")) {
      return list(c, key);
    }
    if (key.isEmpty()) {
      throw HttpError.badRequest("Missing key name");
    }
    c.require(Resource.KEY, key, Access.READ);
    Reply reply = Blocking.run(c, site.store(), r -> {
      Optional<KvEntry> e = Kv.get(r, key);
      return new Blocking.Answer(e.map(x -> List.of(Views.kv(x))).orElse(null),
          e.map(KvEntry::modifyIndex).orElseGet(() -> Kv.tableIndex(r)), WatchSet.kv(key));
    });
    if (reply.json() == null) {
      return Reply.text(404, "").withHeaders(reply);
    }
    if (c.has("raw")) {
      String value = (String) ((java.util.Map<?, ?>) ((List<?>) reply.json()).get(0)).get("Value");
      byte[] raw = value == null ? new byte[0] : java.util.Base64.getDecoder().decode(value);
      return Reply.raw(raw, "text/plain").withHeaders(reply)
          .header("X-Content-Type-Options", "nosniff")
          .header("Content-Security-Policy", "sandbox");
    }
    return reply;
  }

  /** Listing checks no permission on the prefix itself (Consul's default, without enable_key_list_policy). */
  private Reply list(Call c, String prefix) {
    Reply reply = Blocking.run(c, site.store(), r -> {
      List<Object> out = new ArrayList<>();
      boolean hidden = false;
      for (KvEntry e : Kv.list(r, prefix)) {
        if (c.authz().allowed(Resource.KEY, e.key(), Access.READ)) {
          out.add(Views.kv(e));
        } else {
          hidden = true;
        }
      }
      return new Blocking.Answer(out.isEmpty() ? null : out, Kv.prefixIndex(r, prefix), WatchSet.kv(prefix), hidden);
    });
    return reply.json() == null ? Reply.text(404, "").withHeaders(reply) : reply;
  }

  private Reply keys(Call c, String prefix) {
    String sep = c.param("separator", c.param("seperator", ""));
    Reply reply = Blocking.run(c, site.store(), r -> {
      List<String> out = Kv.keys(r, prefix, sep).stream()
          .filter(k -> c.authz().allowed(Resource.KEY, k, Access.READ)).toList();
      return new Blocking.Answer(out.isEmpty() ? null : out, Kv.prefixIndex(r, prefix), WatchSet.kv(prefix));
    });
    // No 404 for the root: an empty list, as Consul answers.
    if (reply.json() == null && prefix.isEmpty()) {
      return Reply.json(java.util.List.of()).withHeaders(reply);
    }
    return reply.json() == null ? Reply.text(404, "").withHeaders(reply) : reply;
  }

  private Reply put(Call c) {
    site.checkDc(c);
    String key = c.rest();
    if (key.isEmpty()) {
      throw HttpError.badRequest("Missing key name");
    }
    validateKey(key);
    conflicting(c, "cas", "acquire", "release");
    c.require(Resource.KEY, key, Access.WRITE);
    long flags = uint(c, "flags");
    long cas = uint(c, "cas");
    byte[] body = c.body();
    byte[] value = body.length == 0 ? null : body;
    String acquire = c.param("acquire");
    String release = c.param("release");
    if (acquire != null && site.lockDelays().blocked(key)) {
      return Reply.json(false);
    }
    boolean ok = site.store().write(tx -> {
      if (acquire != null) {
        return Kv.lock(tx, key, value, flags, acquire);
      }
      if (release != null) {
        return Kv.unlock(tx, key, value, flags, release);
      }
      if (c.has("cas")) {
        return Kv.setCas(tx, key, value, flags, cas);
      }
      Kv.set(tx, key, value, flags);
      return true;
    });
    return Reply.json(ok);
  }

  /** Consul's key checks: no leading '/', no path traversal. */
  private static void validateKey(String key) {
    if (key.startsWith("/")) {
      throw HttpError.badRequest("key must not begin with a '/'");
    }
    if (key.contains("../") || key.contains("..\\")) {
      throw HttpError.badRequest("key contains path traversal sequences");
    }
  }

  /** Flags that do not compose: 400 "Conflicting flags: <query>" as Consul words it. */
  private static void conflicting(Call c, String... flags) {
    if (java.util.Arrays.stream(flags).filter(c::has).count() > 1) {
      throw HttpError.badRequest("Conflicting flags: " + c.encodedQuery() + "\n");
    }
  }

  /** ?flags / ?cas as Go's strconv.ParseUint, whose failure Consul answers with a 500 and Go's text. */
  private static long uint(Call c, String name) {
    String v = c.param(name);
    if (v == null) {
      return 0;
    }
    try {
      return Long.parseUnsignedLong(v);
    } catch (NumberFormatException e) {
      throw new HttpError(500, "strconv.ParseUint: parsing \"" + v + "\": invalid syntax");
    }
  }

  private Reply delete(Call c) {
    site.checkDc(c);
    String key = c.rest();
    if (!key.isEmpty()) {
      validateKey(key);
    }
    conflicting(c, "recurse", "cas");
    boolean recurse = c.has("recurse");
    if (recurse) {
      if (!c.authz().allowedKeyWritePrefix(key)) {
        throw AclDenied.of(c.authz(), Resource.KEY, key, Access.WRITE);
      }
    } else {
      if (key.isEmpty()) {
        throw HttpError.badRequest("Missing key name");
      }
      c.require(Resource.KEY, key, Access.WRITE);
    }
    long cas = uint(c, "cas");
    boolean ok = site.store().write(tx -> {
      if (recurse) {
        Kv.deleteTree(tx, key);
        return true;
      }
      if (c.has("cas")) {
        return Kv.deleteCas(tx, key, cas);
      }
      Kv.delete(tx, key);
      return true;
    });
    return Reply.json(ok);
  }
}
