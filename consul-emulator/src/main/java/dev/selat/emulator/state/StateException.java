package dev.selat.emulator.state;

/** A write the state rejects (as Consul's RPC layer would, answered with 500 or a false result). */
public final class StateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StateException(String message) {
    super(message);
  }
}
