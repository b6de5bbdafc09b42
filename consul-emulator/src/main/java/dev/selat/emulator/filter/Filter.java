package dev.selat.emulator.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The subset of Consul's filter language (go-bexpr) the emulator evaluates on the JSON of each
 * result item:
 * <pre>
 *   expr     := or ; or := and ("or" and)* ; and := unary ("and" unary)*
 *   unary    := "not" unary | "(" expr ")" | match
 *   match    := selector ("==" | "!=") value
 *             | selector ("contains" | "not contains" | "matches" | "not matches") value
 *             | value ("in" | "not in") selector
 *             | selector ("is empty" | "is not empty")
 *   selector := Name ("." Name | "[" "\"key\"" "]")*      e.g. Service.Tags, ServiceMeta.env, Checks.Status
 *   value    := "quoted" | `raw` | bare word or number
 * </pre>
 * A selector through a list (Checks.Status) yields every element's value; == then matches any.
 * Anything outside this grammar is rejected with a message ({@link FilterException}, a 400).
 */
public final class Filter {
  /** A parsed expression node. */
  sealed interface Expr permits Or, And, Not, Match {
    boolean eval(JsonNode item);
  }

  record Or(Expr a, Expr b) implements Expr {
    public boolean eval(JsonNode n) {
      return a.eval(n) || b.eval(n);
    }
  }

  record And(Expr a, Expr b) implements Expr {
    public boolean eval(JsonNode n) {
      return a.eval(n) && b.eval(n);
    }
  }

  record Not(Expr e) implements Expr {
    public boolean eval(JsonNode n) {
      return !e.eval(n);
    }
  }

  enum Op { EQ, NE, CONTAINS, NOT_CONTAINS, MATCHES, NOT_MATCHES, IN, NOT_IN, EMPTY, NOT_EMPTY }

  record Match(List<String> selector, Op op, String value, Pattern regex) implements Expr {
    public boolean eval(JsonNode n) {
      List<JsonNode> found = new ArrayList<>();
      select(n, 0, found);
      return switch (op) {
        case EQ -> found.stream().anyMatch(v -> v.isValueNode() && text(v).equals(value));
        case NE -> found.stream().noneMatch(v -> v.isValueNode() && text(v).equals(value));
        case CONTAINS, IN -> found.stream().anyMatch(this::contains);
        case NOT_CONTAINS, NOT_IN -> found.stream().noneMatch(this::contains);
        case MATCHES -> found.stream().anyMatch(v -> v.isValueNode() && regex.matcher(text(v)).find());
        case NOT_MATCHES -> found.stream().noneMatch(v -> v.isValueNode() && regex.matcher(text(v)).find());
        case EMPTY -> found.stream().allMatch(Match::empty);
        case NOT_EMPTY -> !found.stream().allMatch(Match::empty);
      };
    }

    private boolean contains(JsonNode v) {
      if (v.isArray()) {
        for (JsonNode e : v) {
          if (text(e).equals(value)) {
            return true;
          }
        }
        return false;
      }
      if (v.isObject()) {
        return v.has(value);
      }
      return v.isTextual() && v.asText().contains(value);
    }

    private static boolean empty(JsonNode v) {
      return v == null || v.isNull() || v.isMissingNode() || (v.isContainerNode() && v.isEmpty())
          || (v.isTextual() && v.asText().isEmpty());
    }

    private void select(JsonNode n, int at, List<JsonNode> out) {
      if (at == selector.size()) {
        out.add(n);
        return;
      }
      if (n.isArray()) {
        for (JsonNode e : n) {
          select(e, at, out);
        }
        return;
      }
      JsonNode child = n.get(selector.get(at));
      if (child == null || child.isNull()) {
        out.add(com.fasterxml.jackson.databind.node.NullNode.getInstance());
        return;
      }
      select(child, at + 1, out);
    }

    private static String text(JsonNode v) {
      return v.isNull() ? "" : v.asText();
    }
  }

  private static final Filter ALL = new Filter(null);
  private final Expr root;

  private Filter(Expr root) {
    this.root = root;
  }

  /** Parses an expression; null or blank matches everything. */
  public static Filter parse(String expression) {
    if (expression == null || expression.isBlank()) {
      return ALL;
    }
    return new Filter(new FilterParser(expression).parse());
  }

  public boolean matchesAll() {
    return root == null;
  }

  public boolean matches(JsonNode item) {
    return root == null || root.eval(item);
  }

  static Pattern regex(String value) {
    try {
      return Pattern.compile(value);
    } catch (PatternSyntaxException e) {
      throw new FilterException("Failed to create boolean expression evaluator: invalid regular expression \""
          + value + "\": " + e.getDescription());
    }
  }
}
