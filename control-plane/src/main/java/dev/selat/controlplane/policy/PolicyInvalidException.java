package dev.selat.controlplane.policy;

import java.util.List;
import java.util.stream.Collectors;

/** A policy refused: every violation, each naming its field path. */
public final class PolicyInvalidException extends Exception {
  private final List<Violation> violations;

  public PolicyInvalidException(List<Violation> violations) {
    super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
    this.violations = List.copyOf(violations);
  }

  public List<Violation> violations() {
    return violations;
  }
}
