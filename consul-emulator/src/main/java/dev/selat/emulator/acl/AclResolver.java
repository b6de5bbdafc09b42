package dev.selat.emulator.acl;

import dev.selat.emulator.EmulatorConfig;
import dev.selat.emulator.state.AclPolicy;
import dev.selat.emulator.state.AclToken;
import dev.selat.emulator.state.MetaEntry;
import dev.selat.emulator.state.StateStore;
import dev.selat.emulator.state.Table;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns a request's secret into an {@link Authorizer}. With ACLs enabled it creates, like Consul's
 * leader, the global-management and global-read-only policies, the anonymous token and the initial
 * management token.
 * An unknown secret is Consul's 403 "ACL not found".
 */
public final class AclResolver {
  public static final String MANAGEMENT_POLICY_ID = "00000000-0000-0000-0000-000000000001";
  public static final String ANONYMOUS_ACCESSOR = "00000000-0000-0000-0000-000000000002";
  public static final String READ_ONLY_POLICY_ID = "00000000-0000-0000-0000-000000000002";
  private static final String READ_ONLY_RULES = """
      acl = "read"
      agent_prefix "" { policy = "read" }
      event_prefix "" { policy = "read" }
      key_prefix "" { policy = "read" }
      keyring = "read"
      mesh = "read"
      node_prefix "" { policy = "read" }
      operator = "read"
      query_prefix "" { policy = "read" }
      service_prefix "" { policy = "read" }
      session_prefix "" { policy = "read" }
      """;
  public static final String BOOTSTRAP_META = "acl-bootstrap";

  private final EmulatorConfig.Acl config;
  private final StateStore store;
  private final Clock clock;
  private final String datacenter;

  /** {@code datacenter}: this server's, the one a node identity must name to grant anything. */
  public AclResolver(EmulatorConfig.Acl config, StateStore store, Clock clock, String datacenter) {
    this.config = config;
    this.store = store;
    this.clock = clock;
    this.datacenter = datacenter;
  }

  public boolean enabled() {
    return config.enabled();
  }

  public String defaultPolicy() {
    return config.defaultPolicy();
  }

  /** Creates the built-in policy and tokens once (idempotent across restarts). */
  public void init() {
    if (!config.enabled()) {
      return;
    }
    String now = clock.instant().toString();
    store.write(tx -> {
      if (tx.get(Table.ACL_POLICIES, MANAGEMENT_POLICY_ID).isEmpty()) {
        tx.put(Table.ACL_POLICIES, MANAGEMENT_POLICY_ID, new AclPolicy(MANAGEMENT_POLICY_ID, "global-management",
            "Builtin Policy that grants unlimited access", "", List.of(), tx.txIndex(), tx.txIndex()));
      }
      if (tx.get(Table.ACL_POLICIES, READ_ONLY_POLICY_ID).isEmpty()) {
        tx.put(Table.ACL_POLICIES, READ_ONLY_POLICY_ID, new AclPolicy(READ_ONLY_POLICY_ID, "builtin/global-read-only",
            "Builtin Policy that grants unlimited read-only access to all components", READ_ONLY_RULES, List.of(),
            tx.txIndex(), tx.txIndex()));
      }
      if (tx.get(Table.ACL_TOKENS, ANONYMOUS_ACCESSOR).isEmpty()) {
        tx.put(Table.ACL_TOKENS, ANONYMOUS_ACCESSOR, new AclToken(ANONYMOUS_ACCESSOR, "anonymous",
            "Anonymous Token", List.of(), List.of(), false, now, tx.txIndex(), tx.txIndex()));
      }
      config.initialManagementToken().ifPresent(secret -> {
        if (findBySecret(tx.all(Table.ACL_TOKENS), secret).isEmpty()) {
          String accessor = UUID.randomUUID().toString();
          tx.put(Table.ACL_TOKENS, accessor, new AclToken(accessor, secret, "Initial Management Token",
              List.of(MANAGEMENT_POLICY_ID), List.of(), false, now, tx.txIndex(), tx.txIndex()));
          tx.put(Table.META, BOOTSTRAP_META, new MetaEntry(BOOTSTRAP_META, tx.txIndex()));
        }
      });
      return null;
    });
  }

  public Authorizer resolve(String secret) {
    if (!config.enabled()) {
      return Authorizer.allowAll(ANONYMOUS_ACCESSOR, true);
    }
    return store.read(r -> {
      Optional<AclToken> token = (secret.isEmpty() ? r.<AclToken>get(Table.ACL_TOKENS, ANONYMOUS_ACCESSOR)
          : findBySecret(r.all(Table.ACL_TOKENS), secret)).filter(t -> !t.expiredAt(clock.instant()));
      if (token.isEmpty()) {
        throw new AclNotFoundException(r.get(Table.META, BOOTSTRAP_META).isEmpty()
            ? "ACL system must be bootstrapped before making any requests that require authorization: ACL not found"
            : "ACL not found");
      }
      AclToken t = token.get();
      if (t.policyIds().contains(MANAGEMENT_POLICY_ID)) {
        return Authorizer.allowAll(t.accessorId(), true);
      }
      List<Rules> rules = new ArrayList<>();
      for (String id : t.policyIds()) {
        r.<AclPolicy>get(Table.ACL_POLICIES, id).ifPresent(p -> rules.add(Rules.parse(p.rules())));
      }
      for (String service : t.serviceIdentities()) {
        rules.add(Rules.serviceIdentity(service));
      }
      for (AclToken.NodeIdentity node : t.nodeIdentities()) {
        if (node.datacenter().equals(datacenter)) {
          rules.add(Rules.nodeIdentity(node.nodeName()));
        }
      }
      return Authorizer.of(t.accessorId(), "allow".equals(config.defaultPolicy()), rules);
    });
  }

  public static Optional<AclToken> findBySecret(java.util.Collection<AclToken> tokens, String secret) {
    return tokens.stream().filter(t -> secret.equals(t.secretId())).findFirst();
  }

  /** The secret matches no token. */
  public static final class AclNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AclNotFoundException(String message) {
      super(message);
    }
  }
}
