package dev.selat.controlplane.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.selat.testkit.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each image's Dockerfile passes hadolint (the pinned binary ./selat setup installs) with no warning or error, and has
 * the shape the chart relies on: a build stage and a Temurin >= 21 JRE runtime stage, a numeric non-root USER, a
 * HEALTHCHECK, an ENTRYPOINT. No image is built here (there is no Docker engine).
 */
class DockerfileLintIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern RUNTIME = Pattern.compile("(?m)^FROM eclipse-temurin:(\\d+)-jre\\s*$");
  private static final Pattern USER = Pattern.compile("(?m)^USER (\\d+):(\\d+)\\s*$");

  @ParameterizedTest
  @ValueSource(strings = {"control-plane", "latency-probe", "consul-emulator"})
  void dockerfile_hadolint_noWarningOrError(String module) {
    Path dockerfile = ROOT.resolve(module).resolve("Dockerfile");

    ToolRun run = hadolint(dockerfile);

    assertThat(run.exitCode()).as(run.describe()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"control-plane", "latency-probe", "consul-emulator"})
  void dockerfile_multiStageNonRootJre21OrNewer_withHealthcheck(String module) throws IOException {
    String text = Files.readString(ROOT.resolve(module).resolve("Dockerfile"));
    List<String> froms = text.lines().filter(l -> l.startsWith("FROM ")).toList();

    assertThat(froms).as("a build stage, then the runtime").hasSize(2);
    assertThat(froms.get(0)).contains(" AS build");
    Matcher runtime = RUNTIME.matcher(froms.get(1));
    assertThat(runtime.matches()).as(froms.get(1)).isTrue();
    assertThat(Integer.parseInt(runtime.group(1))).isGreaterThanOrEqualTo(21);
    Matcher user = USER.matcher(text.substring(text.indexOf(froms.get(1))));
    assertThat(user.find()).as("a numeric USER in the runtime stage").isTrue();
    assertThat(Integer.parseInt(user.group(1))).isPositive();
    assertThat(text).contains("COPY --from=build ").containsPattern("(?m)^HEALTHCHECK ").containsPattern("(?m)^ENTRYPOINT \\[");
    assertThat(ROOT.resolve(module).resolve("Dockerfile.dockerignore")).exists();
  }

  /** The lint can fail: an unpinned base image and apt-get without -y are warnings. */
  @Test
  void hadolint_badDockerfile_fails(@TempDir Path dir) throws IOException {
    Path bad = Files.writeString(dir.resolve("Dockerfile"), "FROM ubuntu\nRUN apt-get install curl\n");

    ToolRun run = hadolint(bad);

    assertThat(run.exitCode()).as(run.describe()).isNotZero();
    assertThat(run.stdout()).contains("DL3006").contains("DL3014");
  }

  private static ToolRun hadolint(Path dockerfile) {
    return ToolRun.of(Tools.hadolint(), List.of("--no-color", "--failure-threshold", "warning", dockerfile.toString()));
  }
}
