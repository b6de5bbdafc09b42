package dev.selat.controlplane.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration that cannot be used. The message lists every problem found, one per line, each as
 * {@code fieldPath: message}; no message ever contains a token.
 */
public final class ConfigException extends IllegalArgumentException {
  /** One problem: the field path ({@code sites[1].consul.addresses[0]}, {@code routing.tolerance}) and what is wrong. */
  public record Problem(String field, String message) {
    public Problem {
      requireNonNull(field, "field");
      requireNonNull(message, "message");
    }

    @Override
    public String toString() {
      return field + ": " + message;
    }
  }

  private final transient List<Problem> problems;

  public ConfigException(String source, List<Problem> problems) {
    super(format(source, problems));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String format(String source, List<Problem> problems) {
    return "invalid configuration " + source + " (" + problems.size() + (problems.size() == 1 ? " problem" : " problems")
        + "):\n" + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
  }
}
