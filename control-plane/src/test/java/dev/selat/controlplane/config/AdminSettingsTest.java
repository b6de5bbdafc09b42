package dev.selat.controlplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminSettingsTest {
  private static final String TOKEN = "admin-token-0123456789abcdef";
  private static final String SITES = """
      sites:
        - { id: jakarta, region: id-jkt, consul: { addresses: ["10.0.0.1:8500"] } }
      """;

  @Test
  void load_noAdminSection_isOpen() {
    SelatConfig c = ConfigLoader.load(SITES, "t", Map.of());

    assertThat(c.admin()).isEqualTo(AdminSettings.OPEN);
    assertThat(c.admin().protectedByToken()).isFalse();
    assertThat(c.admin().admits(null)).isTrue();
  }

  @Test
  void load_tokenFile_readTrimmed(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("admin.token"), "  " + TOKEN + "\n");

    SelatConfig c = ConfigLoader.load(SITES + "admin: { tokenFile: " + file + " }\n", "t", Map.of());

    assertThat(c.admin().token()).contains(TOKEN);
  }

  @Test
  void load_tokenFromEnvironment_winsOverTheFile() {
    SelatConfig c = ConfigLoader.load(SITES + "admin: { token: other-token-0123456789 }\n", "t",
        Map.of("SELAT_ADMIN_TOKEN", TOKEN));

    assertThat(c.admin().token()).contains(TOKEN);
  }

  @Test
  void toString_neverShowsTheToken() {
    SelatConfig c = ConfigLoader.load(SITES, "t", Map.of("SELAT_ADMIN_TOKEN", TOKEN));

    assertThat(c.admin().toString()).doesNotContain(TOKEN).contains("(set)");
    assertThat(c.toString()).doesNotContain(TOKEN);
  }

  @Test
  void admits_onlyTheBearerToken() {
    AdminSettings s = new AdminSettings(Optional.of(TOKEN));

    assertThat(s.admits("Bearer " + TOKEN)).isTrue();
    assertThat(s.admits("bearer " + TOKEN)).isTrue();
    assertThat(s.admits(null)).isFalse();
    assertThat(s.admits("")).isFalse();
    assertThat(s.admits(TOKEN)).isFalse();
    assertThat(s.admits("Basic " + TOKEN)).isFalse();
    assertThat(s.admits("Bearer " + TOKEN + "x")).isFalse();
    assertThat(s.admits("Bearer " + TOKEN.substring(1))).isFalse();
  }

  @Test
  void constructor_shortToken_refused() {
    assertThatThrownBy(() -> new AdminSettings(Optional.of("short"))).hasMessageContaining("16 characters")
        .hasMessageNotContaining("short\"");
  }
}
