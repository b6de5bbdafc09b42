package dev.selat.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class PeerProcessTest {
  @Test
  void start_logsOutputToFile_closeStopsProcess() throws Exception {
    PeerProcess peer = PeerProcess.start("echoer", List.of("sh", "-c", "echo started; exec sleep 300"));
    try {
      assertThat(peer.isAlive()).isTrue();
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> Files.readString(peer.logFile()).contains("started"));
    } finally {
      peer.close();
    }
    assertThat(peer.isAlive()).isFalse();
  }

  @Test
  void kill9_killsPeerAtOnce() {
    PeerProcess peer = PeerProcess.start("sleeper", List.of("sleep", "300"));
    peer.kill9();
    assertThat(peer.isAlive()).isFalse();
  }

  /**
   * The watchdog's whole point: the JVM that started a peer dies by SIGKILL (no shutdown hook runs) and the peer
   * dies too. A child JVM starts the peer through {@link PeerProcess} itself; this test kill -9s that JVM.
   */
  @Test
  void watchdog_hostJvmKilledWithSigkill_killsPeer() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process host = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        PeerProcessHostMain.class.getName()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String firstLine = host.inputReader().readLine();
      assertThat(firstLine).as("the host JVM prints its peer's pid").isNotNull().matches("\\d+");
      ProcessHandle peer = ProcessHandle.of(Long.parseLong(firstLine)).orElseThrow();
      assertThat(peer.isAlive()).isTrue();

      host.destroyForcibly(); // SIGKILL
      host.waitFor();

      Awaitility.await("peer of a kill -9'd JVM gone").atMost(Duration.ofSeconds(10)).until(() -> !peer.isAlive());
    } finally {
      host.destroyForcibly();
    }
  }

  @Test
  void start_emptyCommand_namesField() {
    assertThatThrownBy(() -> PeerProcess.start("x", List.of())).hasMessageContaining("command");
  }
}
