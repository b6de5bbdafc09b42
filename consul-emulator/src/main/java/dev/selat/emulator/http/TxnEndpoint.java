package dev.selat.emulator.http;

import dev.selat.emulator.acl.Access;
import dev.selat.emulator.acl.Resource;
import dev.selat.emulator.state.Catalog;
import dev.selat.emulator.state.HealthCheck;
import dev.selat.emulator.state.Kv;
import dev.selat.emulator.state.KvEntry;
import dev.selat.emulator.state.Node;
import dev.selat.emulator.state.ServiceInstance;
import dev.selat.emulator.state.StateException;
import dev.selat.emulator.state.Table;
import dev.selat.emulator.state.WriteTx;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * /v1/txn: KV, Node, Service and Check operations applied all-or-nothing in one commit. A failed
 * operation aborts everything: 409 with Consul's {"Errors": [{"OpIndex", "What"}]}.
 */
final class TxnEndpoint {
  static final int MAX_OPS = 128;
  private final Site site;

  TxnEndpoint(Site site) {
    this.site = site;
  }

  void routes(Router r) {
    r.put("/v1/txn", this::txn);
  }

  /** One operation's failure; the transaction still runs every operation to report all errors. */
  private static final class OpFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int index;

    OpFailed(int index, String what) {
      super(what, null, false, false);
      this.index = index;
    }
  }

  /** Every failure of a transaction; thrown out of the write so nothing of it is committed. */
  private static final class TxnFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient List<Map<String, Object>> errors;

    TxnFailed(List<Map<String, Object>> errors) {
      super("transaction failed", null, false, false);
      this.errors = errors;
    }
  }

  private Reply txn(Call c) {
    site.checkDc(c);
    com.fasterxml.jackson.databind.JsonNode root;
    try {
      root = Json.decode(c.body(), com.fasterxml.jackson.databind.JsonNode.class);
    } catch (HttpError e) {
      throw HttpError.badRequest(e.getMessage().replace("Request decode failed: ", "Failed to parse body: "));
    }
    if (!root.isArray()) {
      throw HttpError.badRequest("Failed to parse body: json: cannot unmarshal " + (root.isObject() ? "object" : "value")
          + " into Go value of type api.TxnOps");
    }
    if (root.size() > MAX_OPS) {
      throw new HttpError(413, "Transaction contains too many operations (" + root.size() + " > " + MAX_OPS + ")");
    }
    List<Body> ops = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      ops.add(Body.of(root.get(i), "[" + i + "]"));
    }
    try {
      List<Object> results = site.store().write(tx -> {
        List<Object> out = new ArrayList<>();
        List<Map<String, Object>> errors = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
          try {
            apply(c, tx, i, ops.get(i), out);
          } catch (OpFailed e) {
            Map<String, Object> err = new LinkedHashMap<>();
            err.put("OpIndex", e.index);
            err.put("What", e.getMessage());
            errors.add(err);
          }
        }
        if (!errors.isEmpty()) {
          throw new TxnFailed(errors);
        }
        return out;
      });
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("Results", results);
      body.put("Errors", null);
      return Reply.json(body).header("X-Consul-Index", Long.toString(site.store().lastIndex()))
          .header("X-Consul-KnownLeader", "true").header("X-Consul-LastContact", "0");
    } catch (TxnFailed e) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("Results", null);
      body.put("Errors", e.errors);
      return Reply.json(body).withStatus(409);
    }
  }

  private void apply(Call c, WriteTx tx, int i, Body op, List<Object> out) {
    try {
      if (op.present("KV")) {
        kv(c, tx, i, op.obj("KV"), out);
      } else if (op.present("Node")) {
        node(c, tx, op.obj("Node"), out);
      } else if (op.present("Service")) {
        service(c, tx, op.obj("Service"), out);
      } else if (op.present("Check")) {
        check(c, tx, op.obj("Check"), out);
      } else {
        throw new OpFailed(i, "unknown operation type");
      }
    } catch (StateException e) {
      throw new OpFailed(i, e.getMessage());
    } catch (HttpError e) {
      if (e.status() == 403) {
        throw e;
      }
      throw new OpFailed(i, e.getMessage());
    }
  }

  private void kv(Call c, WriteTx tx, int i, Body kv, List<Object> out) {
    String verb = kv.str("Verb");
    String key = kv.str("Key");
    byte[] value = null;
    if (kv.present("Value")) {
      try {
        value = Base64.getDecoder().decode(kv.str("Value"));
      } catch (IllegalArgumentException e) {
        throw new OpFailed(i, "Value is not valid base64: " + e.getMessage());
      }
      if (value.length > site.config().kvMaxValueSize()) {
        throw new HttpError(413, "Value for key \"" + key + "\" is too large (" + value.length + " > "
            + site.config().kvMaxValueSize() + " bytes)");
      }
    }
    long flags = kv.num("Flags");
    long index = kv.num("Index");
    String session = kv.str("Session");
    boolean read = verb.equals("get") || verb.equals("get-tree") || verb.startsWith("check-");
    if (verb.equals("delete-tree")) {
      if (!c.authz().allowedKeyWritePrefix(key)) {
        throw AclDenied.of(c.authz(), Resource.KEY, key, Access.WRITE);
      }
    } else {
      c.require(Resource.KEY, key, read ? Access.READ : Access.WRITE);
    }
    Optional<KvEntry> cur = Kv.get(tx, key);
    switch (verb) {
      case "set" -> {
        Kv.set(tx, key, value, flags);
        out.add(kvResult(Kv.get(tx, key).orElseThrow(), false));
      }
      case "cas" -> {
        if (!Kv.setCas(tx, key, value, flags, index)) {
          throw new OpFailed(i, "failed to set key \"" + key + "\", index is stale");
        }
        out.add(kvResult(Kv.get(tx, key).orElseThrow(), false));
      }
      case "lock" -> {
        if (session.isEmpty()) {
          throw new OpFailed(i, "missing session");
        }
        if (!Kv.lock(tx, key, value, flags, session)) {
          throw new OpFailed(i, "failed to lock key \"" + key + "\", lock is already held");
        }
        out.add(kvResult(Kv.get(tx, key).orElseThrow(), false));
      }
      case "unlock" -> {
        if (!Kv.unlock(tx, key, value, flags, session)) {
          throw new OpFailed(i, "failed to unlock key \"" + key + "\", lock isn't held, or is held by another session");
        }
        out.add(kvResult(Kv.get(tx, key).orElseThrow(), false));
      }
      case "get" -> out.add(kvResult(cur.orElseThrow(() -> new OpFailed(i, "key \"" + key + "\" doesn't exist")), true));
      case "get-tree" -> Kv.list(tx, key).forEach(e -> out.add(kvResult(e, true)));
      case "check-index" -> {
        if (cur.isEmpty() || cur.get().modifyIndex() != index) {
          throw new OpFailed(i, cur.isEmpty() ? "key \"" + key + "\" doesn't exist"
              : "current modify index " + cur.get().modifyIndex() + " != " + index);
        }
        out.add(kvResult(cur.get(), false));
      }
      case "check-session" -> {
        if (cur.isEmpty() || !cur.get().session().equals(session)) {
          throw new OpFailed(i, cur.isEmpty() ? "key \"" + key + "\" doesn't exist" : "failed session check for key \""
              + key + "\", current session \"" + cur.get().session() + "\" != \"" + session + "\"");
        }
        out.add(kvResult(cur.get(), false));
      }
      case "check-not-exists" -> {
        if (cur.isPresent()) {
          throw new OpFailed(i, "key \"" + key + "\" exists");
        }
      }
      case "delete" -> Kv.delete(tx, key);
      case "delete-tree" -> Kv.deleteTree(tx, key);
      case "delete-cas" -> {
        if (!Kv.deleteCas(tx, key, index)) {
          throw new OpFailed(i, "failed to delete key \"" + key + "\", index is stale");
        }
      }
      default -> throw new OpFailed(i, "unknown KV verb \"" + verb + "\"");
    }
  }

  private static Map<String, Object> kvResult(KvEntry e, boolean withValue) {
    Map<String, Object> v = Views.kv(e);
    if (!withValue) {
      v.put("Value", null);
    }
    return Map.of("KV", v);
  }

  private void node(Call c, WriteTx tx, Body op, List<Object> out) {
    String verb = op.str("Verb");
    Body n = op.obj("Node");
    String name = n.str("Node");
    c.require(Resource.NODE, name, verb.equals("get") ? Access.READ : Access.WRITE);
    switch (verb) {
      case "set", "cas" -> {
        Catalog.ensureNode(tx, new Node(n.str("ID"), name, n.str("Address"), site.dc(),
            n.stringMap("TaggedAddresses"), n.stringMap("Meta"), 0, 0));
        out.add(Map.of("Node", Views.node(tx.<Node>get(Table.NODES, name).orElseThrow())));
      }
      case "get" -> out.add(Map.of("Node", Views.node(tx.<Node>get(Table.NODES, name)
          .orElseThrow(() -> new StateException("node \"" + name + "\" doesn't exist")))));
      case "delete", "delete-cas" -> Catalog.deleteNode(tx, name);
      default -> throw new StateException("unknown Node verb \"" + verb + "\"");
    }
  }

  private void service(Call c, WriteTx tx, Body op, List<Object> out) {
    String verb = op.str("Verb");
    String node = op.str("Node");
    Body s = op.obj("Service");
    switch (verb) {
      case "set", "cas" -> {
        ServiceInstance svc = Registrations.service(s, node, false);
        c.require(Resource.SERVICE, svc.service(), Access.WRITE);
        Catalog.ensureService(tx, svc);
        out.add(Map.of("Service", txnService(tx.<ServiceInstance>get(Table.SERVICES, svc.key()).orElseThrow())));
      }
      case "get" -> {
        ServiceInstance svc = tx.<ServiceInstance>get(Table.SERVICES, Table.nodeKey(node, s.str("ID")))
            .orElseThrow(() -> new StateException("service \"" + s.str("ID") + "\" on node \"" + node + "\" doesn't exist"));
        c.require(Resource.SERVICE, svc.service(), Access.READ);
        out.add(Map.of("Service", txnService(svc)));
      }
      case "delete", "delete-cas" -> {
        c.require(Resource.NODE, node, Access.WRITE);
        Catalog.deleteService(tx, node, s.str("ID"));
      }
      default -> throw new StateException("unknown Service verb \"" + verb + "\"");
    }
  }

  private static Map<String, Object> txnService(ServiceInstance s) {
    return Views.agentService(s, "", true);
  }

  private void check(Call c, WriteTx tx, Body op, List<Object> out) {
    String verb = op.str("Verb");
    Body ch = op.obj("Check");
    String node = ch.str("Node");
    c.require(Resource.NODE, node, verb.equals("get") ? Access.READ : Access.WRITE);
    String id = ch.str("CheckID");
    switch (verb) {
      case "set", "cas" -> {
        HealthCheck hc = Registrations.check(ch, node, null, null);
        Catalog.ensureCheck(tx, hc);
        out.add(Map.of("Check", Views.check(tx.<HealthCheck>get(Table.CHECKS, hc.key()).orElseThrow())));
      }
      case "get" -> out.add(Map.of("Check", Views.check(tx.<HealthCheck>get(Table.CHECKS, Table.nodeKey(node, id))
          .orElseThrow(() -> new StateException("check \"" + id + "\" on node \"" + node + "\" doesn't exist")))));
      case "delete", "delete-cas" -> Catalog.deleteCheck(tx, node, id);
      default -> throw new StateException("unknown Check verb \"" + verb + "\"");
    }
  }
}
