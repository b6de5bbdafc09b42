package dev.selat.controlplane.policy;

import static java.util.Objects.requireNonNull;

/**
 * What is wrong with one field of a policy.
 *
 * @param field the field path in the proto's names, e.g. {@code migration.step_percent}, {@code avoid_links[1].link},
 *     {@code site_weights["aws-sg"]}
 * @param description what is wrong, with the value
 */
public record Violation(String field, String description) {
  public Violation {
    requireNonNull(field, "field");
    requireNonNull(description, "description");
  }

  @Override
  public String toString() {
    return field + ": " + description;
  }
}
