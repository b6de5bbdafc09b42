package dev.selat.controlplane.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The problems found while loading, and which field paths the environment set (so that a problem there names its
 * variable). One per load; not thread-safe.
 */
final class Problems {
  private final List<ConfigException.Problem> list = new ArrayList<>();
  private final Map<String, String> envOrigins;

  Problems(Map<String, String> envOrigins) {
    this.envOrigins = envOrigins;
  }

  void add(String field, String message) {
    envVar(field).ifPresentOrElse(
        v -> list.add(new ConfigException.Problem(field, message + " (set by " + v + ")")),
        () -> list.add(new ConfigException.Problem(field, message)));
  }

  /** The variable that set {@code field} or the list or section it belongs to, if the environment did. */
  Optional<String> envVar(String field) {
    for (String f = field; !f.isEmpty(); f = parent(f)) {
      String v = envOrigins.get(f);
      if (v != null) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  boolean fromEnv(String field) {
    return envVar(field).isPresent();
  }

  /** Whether a problem was already reported at {@code field} or below it. */
  boolean reportedAtOrBelow(String field) {
    return list.stream().anyMatch(p -> p.field().equals(field) || p.field().startsWith(field + ".")
        || p.field().startsWith(field + "["));
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  int size() {
    return list.size();
  }

  List<ConfigException.Problem> list() {
    return List.copyOf(list);
  }

  private static String parent(String field) {
    int cut = Math.max(field.lastIndexOf('.'), field.lastIndexOf('['));
    return cut < 0 ? "" : field.substring(0, cut);
  }
}
