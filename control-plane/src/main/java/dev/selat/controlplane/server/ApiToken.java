package dev.selat.controlplane.server;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/**
 * The policy API's bearer token: the file {@code SELAT_API_TOKEN_FILE} names (read at each call, trimmed, so that a
 * rotated Secret takes effect), else {@code SELAT_API_TOKEN}. Without either, every call is refused, unless the API
 * port is mutual TLS ({@code ports.api.tls.clientCaFile}): then the client's certificate alone admits it. The token is
 * compared in constant time and never logged; errors name the file, never the token.
 */
final class ApiToken {
  static final String FILE_ENV = "SELAT_API_TOKEN_FILE";
  static final String VALUE_ENV = "SELAT_API_TOKEN";

  private final Optional<Path> file;
  private final Optional<String> value;

  ApiToken(Optional<Path> file, Optional<String> value) {
    this.file = requireNonNull(file, "file");
    this.value = requireNonNull(value, "value").map(String::strip).filter(v -> !v.isEmpty());
  }

  static ApiToken fromEnv(Map<String, String> env) {
    return new ApiToken(Optional.ofNullable(env.get(FILE_ENV)).filter(s -> !s.isBlank()).map(Path::of),
        Optional.ofNullable(env.get(VALUE_ENV)));
  }

  /** Whether a token is configured (a file, or a value), whatever the file holds now. */
  boolean configured() {
    return file.isPresent() || value.isPresent();
  }

  /** What a refused call is told, or empty when {@code presented} is the token. */
  Optional<String> check(Optional<String> presented) {
    Optional<String> expected;
    try {
      expected = current();
    } catch (IOException e) {
      return Optional.of("the server cannot read its token file " + file.orElseThrow() + ": " + e.getClass().getSimpleName());
    }
    if (expected.isEmpty()) {
      return Optional.of("the server has no API token (" + FILE_ENV + " or " + VALUE_ENV
          + ") and no mutual TLS (ports.api.tls.clientCaFile)");
    }
    if (presented.isEmpty()) {
      return Optional.of("missing bearer token (authorization: Bearer <token>)");
    }
    boolean same = MessageDigest.isEqual(expected.get().getBytes(StandardCharsets.UTF_8),
        presented.get().getBytes(StandardCharsets.UTF_8));
    return same ? Optional.empty() : Optional.of("wrong bearer token");
  }

  private Optional<String> current() throws IOException {
    if (file.isPresent()) {
      String s = Files.readString(file.get(), StandardCharsets.UTF_8).strip();
      return s.isEmpty() ? value : Optional.of(s);
    }
    return value;
  }
}
