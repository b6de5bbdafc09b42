package dev.selat.emulator.acl;

/** Policy rules that do not parse; the message names the rule. */
public final class AclRulesException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AclRulesException(String message) {
    super(message);
  }
}
