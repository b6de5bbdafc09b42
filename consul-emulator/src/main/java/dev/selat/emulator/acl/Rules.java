package dev.selat.emulator.acl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A policy's rules, parsed from Consul's HCL or JSON form. Supported: service, node, key, session,
 * agent, event, query (each also as *_prefix) with {@code policy = "read|write|deny"} ("list" for
 * key), and operator, acl, keyring, mesh as {@code name = "policy"}. Anything else is an error.
 */
public record Rules(List<Rule> rules) {
  public record Rule(Resource resource, String name, boolean prefix, Access access) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  public Rules {
    rules = List.copyOf(rules);
  }

  /** What a service identity grants, as Consul synthesizes it: write on the service and its sidecar, read on the catalog. */
  public static Rules serviceIdentity(String service) {
    return new Rules(List.of(new Rule(Resource.SERVICE, service, false, Access.WRITE),
        new Rule(Resource.SERVICE, service + "-sidecar-proxy", false, Access.WRITE),
        new Rule(Resource.SERVICE, "", true, Access.READ), new Rule(Resource.NODE, "", true, Access.READ)));
  }

  /** A node identity's synthetic policy (Consul's aclNodeIdentityTemplate): write its node, read every service. */
  public static Rules nodeIdentity(String node) {
    return new Rules(List.of(new Rule(Resource.NODE, node, false, Access.WRITE),
        new Rule(Resource.SERVICE, "", true, Access.READ)));
  }

  public static Rules parse(String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      return new Rules(List.of());
    }
    JsonNode tree;
    if (t.startsWith("{")) {
      try {
        tree = JSON.readTree(t);
      } catch (IOException e) {
        throw new AclRulesException("Failed to parse ACL rules: " + e.getMessage());
      }
    } else {
      tree = new Hcl(t).document();
    }
    List<Rule> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      addRules(e.getKey(), e.getValue(), out);
    }
    return new Rules(out);
  }

  private static void addRules(String word, JsonNode value, List<Rule> out) {
    boolean prefix = word.endsWith("_prefix");
    String base = prefix ? word.substring(0, word.length() - "_prefix".length()) : word;
    Resource resource = null;
    for (Resource r : Resource.values()) {
      if (r.word().equals(base)) {
        resource = r;
      }
    }
    if (resource == null) {
      throw new AclRulesException("Failed to parse ACL rules: unknown rule \"" + word + "\"");
    }
    if (!resource.named()) {
      if (!value.isTextual() || prefix) {
        throw new AclRulesException("Failed to parse ACL rules: " + word + " must be a policy string");
      }
      out.add(new Rule(resource, "", false, checked(word, resource, value.asText())));
      return;
    }
    if (!value.isObject()) {
      throw new AclRulesException("Failed to parse ACL rules: " + word + " needs a name and a block");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode policy = e.getValue().get("policy");
      if (policy == null || !policy.isTextual()) {
        throw new AclRulesException("Failed to parse ACL rules: " + word + " \"" + e.getKey() + "\" has no policy");
      }
      out.add(new Rule(resource, e.getKey(), prefix, checked(word + " \"" + e.getKey() + "\"", resource, policy.asText())));
    }
  }

  private static Access checked(String field, Resource resource, String policy) {
    Access a = Access.parse("Failed to parse ACL rules: " + field, policy);
    if (a == Access.LIST && resource != Resource.KEY) {
      throw new AclRulesException("Failed to parse ACL rules: " + field + ": \"list\" is only valid for key rules");
    }
    return a;
  }

  /** The HCL subset policies use: {@code ident ["label"] { attr = "v" ... }} and {@code ident = "v"}. */
  private static final class Hcl {
    private final String s;
    private int pos;

    Hcl(String s) {
      this.s = s;
    }

    ObjectNode document() {
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      body(root, false);
      return root;
    }

    private void body(ObjectNode into, boolean braced) {
      while (true) {
        skipSpace();
        if (pos >= s.length()) {
          if (braced) {
            throw error("missing '}'");
          }
          return;
        }
        if (s.charAt(pos) == '}') {
          if (!braced) {
            throw error("unexpected '}'");
          }
          pos++;
          return;
        }
        String ident = ident();
        skipSpace();
        char c = peek();
        if (c == '=' ) {
          pos++;
          skipSpace();
          into.put(ident, value());
        } else if (c == '"') {
          String label = string();
          skipSpace();
          expect('{');
          ObjectNode block = JsonNodeFactory.instance.objectNode();
          body(block, true);
          ObjectNode group = into.has(ident) ? (ObjectNode) into.get(ident) : into.putObject(ident);
          group.set(label, block);
        } else if (c == '{') {
          pos++;
          ObjectNode block = JsonNodeFactory.instance.objectNode();
          body(block, true);
          into.set(ident, block);
        } else {
          throw error("expected '=', a label or '{' after " + ident);
        }
      }
    }

    private String value() {
      char c = peek();
      if (c == '"') {
        return string();
      }
      int start = pos;
      while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
        pos++;
      }
      if (start == pos) {
        throw error("expected a value");
      }
      return s.substring(start, pos);
    }

    private String ident() {
      int start = pos;
      while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_' || s.charAt(pos) == '-')) {
        pos++;
      }
      if (start == pos) {
        throw error("expected an identifier");
      }
      return s.substring(start, pos);
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (pos < s.length() && s.charAt(pos) != '"') {
        char c = s.charAt(pos++);
        if (c == '\\' && pos < s.length()) {
          c = s.charAt(pos++);
        }
        b.append(c);
      }
      expect('"');
      return b.toString();
    }

    private void expect(char c) {
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    private char peek() {
      return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private void skipSpace() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == '#' || (c == '/' && pos + 1 < s.length() && s.charAt(pos + 1) == '/')) {
          while (pos < s.length() && s.charAt(pos) != '\n') {
            pos++;
          }
        } else if (Character.isWhitespace(c) || c == ',') {
          pos++;
        } else {
          return;
        }
      }
    }

    private AclRulesException error(String what) {
      return new AclRulesException("Failed to parse ACL rules: " + what + " at offset " + pos);
    }
  }
}
