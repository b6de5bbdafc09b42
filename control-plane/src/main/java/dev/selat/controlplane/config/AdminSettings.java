package dev.selat.controlplane.config;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The admin HTTP server's access: with a token, {@code /debug/*} and the status page's data need
 * {@code Authorization: Bearer <token>}; {@code /}, its static assets, {@code /healthz}, {@code /readyz} and
 * {@code /metrics} stay open. The token is read once at load (from {@code admin.token} or {@code admin.tokenFile},
 * trimmed) and never shown: {@link #toString} says only whether there is one.
 */
public record AdminSettings(Optional<String> token) {
  public static final AdminSettings OPEN = new AdminSettings(Optional.empty());
  /** Shorter tokens are refused: a guessable token guards nothing. */
  public static final int MIN_TOKEN_LENGTH = 16;

  public AdminSettings {
    requireNonNull(token, "token");
    token.ifPresent(t -> {
      if (t.length() < MIN_TOKEN_LENGTH) {
        throw new IllegalArgumentException("admin token: at least " + MIN_TOKEN_LENGTH + " characters");
      }
    });
  }

  /** Whether {@code authorization} (an {@code Authorization} header value, or null) carries the token; constant time. */
  public boolean admits(String authorization) {
    if (token.isEmpty()) {
      return true;
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token.get().getBytes(StandardCharsets.UTF_8));
  }

  public boolean protectedByToken() {
    return token.isPresent();
  }

  @Override
  public String toString() {
    return "AdminSettings[token=" + (token.isPresent() ? "(set)" : "(none)") + "]";
  }
}
