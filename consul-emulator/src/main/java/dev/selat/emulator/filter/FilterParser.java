package dev.selat.emulator.filter;

import java.util.ArrayList;
import java.util.List;

/** Recursive-descent parser of the grammar documented on {@link Filter}. */
final class FilterParser {
  private final String s;
  private int pos;

  FilterParser(String s) {
    this.s = s;
  }

  Filter.Expr parse() {
    Filter.Expr e = or();
    skip();
    if (pos < s.length()) {
      throw error("unexpected \"" + s.substring(pos) + "\"");
    }
    return e;
  }

  private Filter.Expr or() {
    Filter.Expr e = and();
    while (keyword("or")) {
      e = new Filter.Or(e, and());
    }
    return e;
  }

  private Filter.Expr and() {
    Filter.Expr e = unary();
    while (keyword("and")) {
      e = new Filter.And(e, unary());
    }
    return e;
  }

  private Filter.Expr unary() {
    if (keyword("not")) {
      return new Filter.Not(unary());
    }
    skip();
    if (peek() == '(') {
      pos++;
      Filter.Expr e = or();
      skip();
      if (peek() != ')') {
        throw error("missing ')'");
      }
      pos++;
      return e;
    }
    return match();
  }

  private Filter.Expr match() {
    skip();
    int start = pos;
    boolean quoted = peek() == '"' || peek() == '`';
    String first = quoted ? quoted() : word();
    if (keyword("in")) {
      return new Filter.Match(selector(), Filter.Op.IN, first, null);
    }
    if (keyword("not")) {
      if (keyword("in")) {
        return new Filter.Match(selector(), Filter.Op.NOT_IN, first, null);
      }
      List<String> sel = toSelector(first, quoted, start);
      if (keyword("contains")) {
        return new Filter.Match(sel, Filter.Op.NOT_CONTAINS, value(), null);
      }
      if (keyword("matches")) {
        String v = value();
        return new Filter.Match(sel, Filter.Op.NOT_MATCHES, v, Filter.regex(v));
      }
      throw error("expected \"in\", \"contains\" or \"matches\" after \"not\"");
    }
    List<String> sel = toSelector(first, quoted, start);
    skip();
    if (s.startsWith("==", pos)) {
      pos += 2;
      return new Filter.Match(sel, Filter.Op.EQ, value(), null);
    }
    if (s.startsWith("!=", pos)) {
      pos += 2;
      return new Filter.Match(sel, Filter.Op.NE, value(), null);
    }
    if (keyword("contains")) {
      return new Filter.Match(sel, Filter.Op.CONTAINS, value(), null);
    }
    if (keyword("matches")) {
      String v = value();
      return new Filter.Match(sel, Filter.Op.MATCHES, v, Filter.regex(v));
    }
    if (keyword("is")) {
      boolean not = keyword("not");
      if (!keyword("empty")) {
        throw error("expected \"empty\" after \"is\"");
      }
      return new Filter.Match(sel, not ? Filter.Op.NOT_EMPTY : Filter.Op.EMPTY, null, null);
    }
    throw error("expected an operator (==, !=, in, not in, contains, not contains, matches, is empty, is not empty)");
  }

  private List<String> toSelector(String text, boolean quoted, int at) {
    if (quoted) {
      pos = at;
      throw error("expected a selector, found a value");
    }
    List<String> parts = new ArrayList<>();
    for (String p : text.split("\\.", -1)) {
      if (p.isEmpty()) {
        throw error("invalid selector \"" + text + "\"");
      }
      parts.add(p);
    }
    // Map keys may be written Meta["key"].
    while (peek() == '[') {
      pos++;
      parts.add(quoted());
      if (peek() != ']') {
        throw error("missing ']'");
      }
      pos++;
    }
    return parts;
  }

  private List<String> selector() {
    skip();
    int start = pos;
    return toSelector(word(), false, start);
  }

  private String value() {
    skip();
    return peek() == '"' || peek() == '`' ? quoted() : word();
  }

  private String quoted() {
    char q = s.charAt(pos++);
    StringBuilder b = new StringBuilder();
    while (pos < s.length() && s.charAt(pos) != q) {
      char c = s.charAt(pos++);
      if (c == '\\' && q == '"' && pos < s.length()) {
        c = s.charAt(pos++);
      }
      b.append(c);
    }
    if (pos >= s.length()) {
      throw error("unterminated string");
    }
    pos++;
    return b.toString();
  }

  private String word() {
    skip();
    int start = pos;
    while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || "._-/:".indexOf(s.charAt(pos)) >= 0)) {
      pos++;
    }
    if (start == pos) {
      throw error(pos < s.length() ? "unexpected \"" + s.charAt(pos) + "\"" : "unexpected end of expression");
    }
    return s.substring(start, pos);
  }

  private boolean keyword(String k) {
    skip();
    if (s.regionMatches(pos, k, 0, k.length())
        && (pos + k.length() == s.length() || !Character.isLetterOrDigit(s.charAt(pos + k.length())))) {
      pos += k.length();
      return true;
    }
    return false;
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private void skip() {
    while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
      pos++;
    }
  }

  private FilterException error(String what) {
    return new FilterException("Failed to create boolean expression evaluator: 1:" + (pos + 1) + ": " + what);
  }
}
