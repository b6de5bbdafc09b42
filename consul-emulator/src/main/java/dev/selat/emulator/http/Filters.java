package dev.selat.emulator.http;

import dev.selat.emulator.filter.Filter;
import java.util.List;
import java.util.Map;

/** ?filter= on a list of answer items (their JSON is what selectors address). */
final class Filters {
  private Filters() {}

  static Filter of(Call c) {
    return Filter.parse(c.param("filter"));
  }

  static <T> List<T> apply(Filter f, List<T> items) {
    if (f.matchesAll()) {
      return items;
    }
    return items.stream().filter(i -> f.matches(Json.tree(i))).toList();
  }

  static Map<String, Object> applyValues(Filter f, Map<String, Object> items) {
    if (f.matchesAll()) {
      return items;
    }
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    items.forEach((k, v) -> {
      if (f.matches(Json.tree(v))) {
        out.put(k, v);
      }
    });
    return out;
  }
}
