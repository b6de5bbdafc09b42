package dev.selat.emulator.acl;

/** A rule's policy; order is permissiveness except that DENY wins when policies are merged. */
public enum Access {
  READ, LIST, WRITE, DENY;

  public static Access parse(String field, String text) {
    return switch (text) {
      case "read" -> READ;
      case "list" -> LIST;
      case "write" -> WRITE;
      case "deny" -> DENY;
      default -> throw new AclRulesException(field + ": invalid policy \"" + text + "\" (read, list, write or deny)");
    };
  }

  /** True when this granted access allows {@code need}. */
  boolean allows(Access need) {
    return switch (this) {
      case DENY -> false;
      case WRITE -> true;
      case LIST -> need == READ || need == LIST;
      case READ -> need == READ;
    };
  }

  /** Consul's merge order: deny, then write, then list, then read. */
  static Access merge(Access a, Access b) {
    if (a == null) {
      return b;
    }
    if (a == DENY || b == DENY) {
      return DENY;
    }
    return a.ordinal() >= b.ordinal() ? a : b;
  }
}
