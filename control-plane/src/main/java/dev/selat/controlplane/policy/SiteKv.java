package dev.selat.controlplane.policy;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * The KV of every site's Consul as the policy store uses it: reads and check-and-set writes, blocking the calling
 * thread. Any call may throw {@link SiteUnavailableException} (the site's Consul did not answer, or refused). Thread-safe.
 */
public interface SiteKv {
  /** One key; empty when absent. */
  Optional<Entry> read(String site, String key);

  /** Every key under {@code prefix}. */
  List<Entry> list(String site, String prefix);

  /** Stores {@code value} if the key's ModifyIndex is {@code cas} (0: if absent); whether it did. */
  boolean put(String site, String key, String value, long cas);

  /** Deletes the key if its ModifyIndex is {@code cas}; whether it is gone. */
  boolean delete(String site, String key, long cas);

  record Entry(String key, String value, long modifyIndex) {
    public Entry {
      requireNonNull(key, "key");
      requireNonNull(value, "value");
    }
  }

  /** A site's Consul did not answer or refused: the message names the site (never a token). */
  final class SiteUnavailableException extends RuntimeException {
    private final String site;

    public SiteUnavailableException(String site, String message, Throwable cause) {
      super(message, cause);
      this.site = site;
    }

    public String site() {
      return site;
    }
  }
}
