package dev.selat.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selat.common.ConsulTokens.TokenFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one token rule, case by case, in the order of its javadoc. */
class ConsulTokensTest {
  private static final String SECRET = "0f7d2c1e-never-in-messages";
  @TempDir Path dir;

  private Path file(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  private static Optional<String> resolve(Optional<String> token, Optional<Path> file, Map<String, String> env) {
    return ConsulTokens.resolve(token, file, env);
  }

  @Test
  void resolve_nothingSet_noToken() {
    assertThat(resolve(Optional.empty(), Optional.empty(), Map.of())).isEmpty();
  }

  @Test
  void resolve_explicitFile_winsOverEverything() throws Exception {
    Path explicit = file("explicit", "from-explicit-file\n");
    Path env = file("env", "from-env-file");

    assertThat(resolve(Optional.of("explicit-token"), Optional.of(explicit), Map.of(
        "CONSUL_HTTP_TOKEN_FILE", env.toString(), "CONSUL_HTTP_TOKEN", "env-token"))).contains("from-explicit-file");
  }

  @Test
  void resolve_envFile_winsOverAnyTokenAsConsulsNewClient() throws Exception {
    Path env = file("env", "  from-env-file  ");

    assertThat(resolve(Optional.of("explicit-token"), Optional.empty(), Map.of("CONSUL_HTTP_TOKEN_FILE", env.toString())))
        .contains("from-env-file");
    assertThat(resolve(Optional.empty(), Optional.empty(), Map.of(
        "CONSUL_HTTP_TOKEN_FILE", env.toString(), "CONSUL_HTTP_TOKEN", "env-token"))).contains("from-env-file");
  }

  @Test
  void resolve_tokens_explicitWinsOverEnvironment() {
    assertThat(resolve(Optional.of("explicit-token"), Optional.empty(), Map.of("CONSUL_HTTP_TOKEN", "env-token")))
        .contains("explicit-token");
    assertThat(resolve(Optional.empty(), Optional.empty(), Map.of("CONSUL_HTTP_TOKEN", " env-token "))).contains("env-token");
  }

  @Test
  void resolve_explicitFileEmpty_fallsBackToTheTokenNotToTheEnvFile() throws Exception {
    Path empty = file("empty", " \n");
    Path env = file("env", "from-env-file");

    assertThat(resolve(Optional.empty(), Optional.of(empty), Map.of(
        "CONSUL_HTTP_TOKEN_FILE", env.toString(), "CONSUL_HTTP_TOKEN", "env-token"))).contains("env-token");
  }

  @Test
  void resolve_fileEmptyAndNoToken_isAnErrorNamingTheFile() throws Exception {
    Path empty = file("empty", "");

    assertThatThrownBy(() -> resolve(Optional.empty(), Optional.empty(), Map.of("CONSUL_HTTP_TOKEN_FILE", empty.toString())))
        .isInstanceOfSatisfying(TokenFileException.class, e -> {
          assertThat(e.fromEnvironment()).isTrue();
          assertThat(e.file()).isEqualTo(empty);
        })
        .hasMessage("CONSUL_HTTP_TOKEN_FILE: token file " + empty + " is empty and no token is set to fall back on");
  }

  @Test
  void resolve_unreadableFile_isAnErrorNamingTheFileNeverAToken() {
    Path missing = dir.resolve("absent");

    assertThatThrownBy(() -> resolve(Optional.of(SECRET), Optional.of(missing), Map.of("CONSUL_HTTP_TOKEN", SECRET)))
        .isInstanceOfSatisfying(TokenFileException.class, e -> {
          assertThat(e.fromEnvironment()).isFalse();
          assertThat(e.problem()).isEqualTo("token file " + missing + " cannot be read (NoSuchFileException)");
        })
        .hasMessageStartingWith("tokenFile: token file " + missing)
        .message().doesNotContain(SECRET);
  }

  @Test
  void resolve_fileRewritten_nextCallReadsTheNewToken() throws Exception {
    Path f = file("rotating", "first");
    assertThat(resolve(Optional.empty(), Optional.of(f), Map.of())).contains("first");

    Files.writeString(f, "second");

    assertThat(resolve(Optional.empty(), Optional.of(f), Map.of())).contains("second");
  }

  @Test
  void resolve_blankVariables_countAsUnset() {
    assertThat(resolve(Optional.empty(), Optional.empty(), Map.of("CONSUL_HTTP_TOKEN_FILE", " ", "CONSUL_HTTP_TOKEN", "")))
        .isEmpty();
  }

  @Test
  void tokenFile_explicitElseVariable() {
    assertThat(ConsulTokens.tokenFile(Optional.of(Path.of("/a")), Map.of("CONSUL_HTTP_TOKEN_FILE", "/b"))).contains(Path.of("/a"));
    assertThat(ConsulTokens.tokenFile(Optional.empty(), Map.of("CONSUL_HTTP_TOKEN_FILE", "/b"))).contains(Path.of("/b"));
  }
}
