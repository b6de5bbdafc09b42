package dev.selat.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
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

  @Test
  void watchdog_stdinClosed_killsPeer() throws Exception {
    // What happens when the test JVM is kill -9'd: the watchdog's stdin pipe closes and it kills the peer.
    Process watchdogOnly = new ProcessBuilder("sh", "-c", """
        exec 3<&0
        sleep 300 </dev/null 3<&- & child=$!
        echo $child
        ( cat <&3 >/dev/null; kill -KILL $child 2>/dev/null ) &
        wait $child
        """).start();
    long child = Long.parseLong(watchdogOnly.inputReader().readLine().trim());
    assertThat(ProcessHandle.of(child)).isPresent();

    watchdogOnly.getOutputStream().close();

    Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
    watchdogOnly.destroyForcibly();
  }

  @Test
  void start_emptyCommand_namesField() {
    assertThatThrownBy(() -> PeerProcess.start("x", List.of())).hasMessageContaining("command");
  }
}
