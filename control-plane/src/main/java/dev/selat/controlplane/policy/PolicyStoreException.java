package dev.selat.controlplane.policy;

/** A store operation refused: why, in the operator's words, and which gRPC status it maps to. */
public final class PolicyStoreException extends Exception {
  public enum Kind {
    /** Fewer than a majority of sites answered or stored it; nothing is left half-written. */
    NO_MAJORITY,
    /** The stored revision is not the expected one, or a concurrent write won. */
    CONFLICT,
    NOT_FOUND
  }

  private final Kind kind;

  public PolicyStoreException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
