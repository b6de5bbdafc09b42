package dev.selat.common;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Which ACL token a Selat process sends to Consul: one rule for every module that talks to Consul (consul-bridge's
 * sites, latency-probe's agent), the one Consul's own clients follow.
 *
 * <p>The rule, as hashicorp/consul applies it: {@code api.DefaultConfig()} reads {@code CONSUL_HTTP_TOKEN_FILE} and
 * {@code CONSUL_HTTP_TOKEN}; the CLI's {@code -token-file} and {@code -token} replace them (command/flags/http.go
 * {@code MergeOntoConfig}); then {@code api.NewClient} reads the token file and, when it is not empty, uses it "even
 * if a Token is configured". So, highest first:
 * <ol>
 *   <li>the explicit token file (configuration), else {@code CONSUL_HTTP_TOKEN_FILE}: its content, trimmed, when not
 *       empty; an explicit file replaces the variable, it is not a fallback for it;</li>
 *   <li>the explicit token (configuration), else {@code CONSUL_HTTP_TOKEN}.</li>
 * </ol>
 * A file wins over a token wherever each comes from (explicit file &gt; {@code CONSUL_HTTP_TOKEN_FILE} &gt; explicit
 * token &gt; {@code CONSUL_HTTP_TOKEN}); within one kind, configuration wins over the environment. The file is read at
 * each call (a rotated file is picked up by the next client built). A file that cannot be read is an error naming the
 * file, never its content, as in Consul; Selat adds one: an empty file with no token to fall back on is an error too
 * (Consul would send no token at all, which is never what naming a token file meant). Blank values count as unset.
 * Nothing here logs. Thread-safe (stateless).
 */
public final class ConsulTokens {
  public static final String TOKEN_VARIABLE = "CONSUL_HTTP_TOKEN";
  public static final String TOKEN_FILE_VARIABLE = "CONSUL_HTTP_TOKEN_FILE";

  private ConsulTokens() {}

  /**
   * The token to send, by the rule above; empty when no source gives one. {@code env} is the environment (or the part
   * of it that a configuration kept); only {@link #TOKEN_VARIABLE} and {@link #TOKEN_FILE_VARIABLE} are read.
   *
   * @throws TokenFileException when the token file cannot be read, or is empty with no token to fall back on
   */
  public static Optional<String> resolve(Optional<String> token, Optional<Path> tokenFile, Map<String, String> env) {
    requireNonNull(token, "token");
    requireNonNull(tokenFile, "tokenFile");
    requireNonNull(env, "env");
    Optional<String> fallback = token.filter(t -> !t.isBlank()).map(String::strip).or(() -> variable(env, TOKEN_VARIABLE));
    Optional<Path> file = tokenFile(tokenFile, env);
    if (file.isEmpty()) {
      return fallback;
    }
    boolean fromEnv = tokenFile.isEmpty();
    String content;
    try {
      content = Files.readString(file.get(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new TokenFileException(file.get(), fromEnv, "cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    if (!content.isEmpty()) {
      return Optional.of(content);
    }
    if (fallback.isEmpty()) {
      throw new TokenFileException(file.get(), fromEnv, "is empty and no token is set to fall back on");
    }
    return fallback;
  }

  /** The token file the rule reads, if any: the explicit one, else {@code CONSUL_HTTP_TOKEN_FILE}. */
  public static Optional<Path> tokenFile(Optional<Path> tokenFile, Map<String, String> env) {
    return tokenFile.or(() -> variable(env, TOKEN_FILE_VARIABLE).map(Path::of));
  }

  private static Optional<String> variable(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
  }

  /**
   * A token file that cannot be used. The message names the file and where it was set ({@code tokenFile} or
   * {@code CONSUL_HTTP_TOKEN_FILE}), never its content.
   */
  public static final class TokenFileException extends IllegalArgumentException {
    private final Path file;
    private final boolean fromEnvironment;

    TokenFileException(Path file, boolean fromEnvironment, String problem) {
      super((fromEnvironment ? TOKEN_FILE_VARIABLE : "tokenFile") + ": token file " + file + " " + problem);
      this.file = file;
      this.fromEnvironment = fromEnvironment;
    }

    public Path file() {
      return file;
    }

    /** Whether the file was named by {@code CONSUL_HTTP_TOKEN_FILE} rather than by configuration. */
    public boolean fromEnvironment() {
      return fromEnvironment;
    }

    /** The problem without the leading field, e.g. "token file /etc/t cannot be read (NoSuchFileException)". */
    public String problem() {
      String m = getMessage();
      return m.substring(m.indexOf(": ") + 2);
    }
  }
}
