package dev.selat.emulator.http;

import dev.selat.emulator.acl.Access;
import dev.selat.emulator.acl.AclResolver;
import dev.selat.emulator.acl.Authorizer;
import dev.selat.emulator.acl.Resource;
import java.util.Locale;

/** Consul's 403 wording: which token lacks which permission on what. */
final class AclDenied {
  private AclDenied() {}

  static HttpError of(Authorizer authz, Resource resource, String name, Access need) {
    String perm = resource.word() + ":" + need.name().toLowerCase(Locale.ROOT);
    String on = resource.named() ? " on \"" + name + "\"" : "";
    if (AclResolver.ANONYMOUS_ACCESSOR.equals(authz.accessorId())) {
      return new HttpError(403, "Permission denied: anonymous token lacks permission '" + perm + "'" + on
          + ". The anonymous token is used implicitly when a request does not specify a token.");
    }
    return new HttpError(403, "Permission denied: token with AccessorID '" + authz.accessorId()
        + "' lacks permission '" + perm + "'" + on);
  }
}
