package dev.selat.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's own scripts, {@code ./selat} and {@code .ci/run}, on JDK directories made up for the test (a
 * {@code release} file and a {@code bin/java} that does nothing): which JDK they pick, that {@code env} output
 * survives an {@code eval}, and that CI without a JDK stops with its own message.
 */
class SelatScriptTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @TempDir
  Path dir;

  private record Run(int code, String out, String err) {}

  /** zulu-21 sorts after temurin-25 by name; the newest by version is 25. JDK 17 never qualifies. */
  @Test
  void javaHome_picksTheNewestJdkByVersion_notByDirectoryName() throws Exception {
    Path jvms = Files.createDirectory(dir.resolve("jvm"));
    jdk(jvms.resolve("temurin-25-jdk-amd64"), "25.0.1");
    jdk(jvms.resolve("zulu-21"), "21.0.5");
    jdk(jvms.resolve("temurin-22"), "22");
    jdk(jvms.resolve("zulu-9999-jre17"), "17.0.13");

    Run run = run(List.of("./selat", "java-home"), Map.of("SELAT_JVM_ROOT", jvms.toString()));

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out().strip()).isEqualTo(jvms.resolve("temurin-25-jdk-amd64").toString());
  }

  /** Paths with a space, a quote and a dollar come back unchanged through {@code eval "$(./selat env)"}. */
  @Test
  void env_valuesSurviveEval() throws Exception {
    Path jvms = Files.createDirectory(dir.resolve("jvm"));
    jdk(jvms.resolve("temurin-25"), "25.0.1");
    Path tools = Files.createDirectories(dir.resolve("tools with 'quote' and $dollar"));

    Run run = run(List.of("bash", "-c", "eval \"$(./selat env)\" && printf '%s\\n' \"$SELAT_TOOLS\" \"$JAVA_HOME\""),
        Map.of("SELAT_JVM_ROOT", jvms.toString(), "SELAT_TOOLS", tools.toString()));

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out().lines().toList()).containsExactly(tools.toString(), jvms.resolve("temurin-25").toString());
  }

  /** No JDK >= 21 anywhere: CI says so itself, instead of failing later in a build with the wrong Java. */
  @Test
  void ciRun_withoutAJdk_failsWithItsOwnMessage() throws Exception {
    Path jvms = Files.createDirectory(dir.resolve("jvm"));
    jdk(jvms.resolve("java-17"), "17.0.13");
    Map<String, String> env = Map.of("SELAT_JVM_ROOT", jvms.toString());
    // Were a JDK found, .ci/run would go on to run the whole test suite: make sure first that none is.
    assertThat(run(List.of("./selat", "java-home"), env).code()).as("./selat java-home finds no JDK").isNotZero();

    Run run = run(List.of(".ci/run"), env);

    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("ci: ERROR: no JDK >= 21 found");
  }

  private static void jdk(Path home, String version) throws IOException {
    Files.createDirectories(home.resolve("bin"));
    Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
    Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Runs {@code command} in the repository root with JAVA_HOME unset, so only the made-up JDKs count. */
  private Run run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile())
        .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
    pb.environment().remove("JAVA_HOME");
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return new Run(p.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
        Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
  }
}
