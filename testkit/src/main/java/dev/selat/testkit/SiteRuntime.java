package dev.selat.testkit;

import java.net.URI;

/** What runs a {@link ConsulSite}: an emulator in this JVM, or a process (the emulator's launcher or a real consul). */
interface SiteRuntime {
  URI httpAddress();

  /** SIGKILL, as a crash would; only a process can do it. */
  void kill9();

  /** Starts again with the same ports and data dir (a process must have been killed first). */
  void restart();

  void stop();

  /** The emulator's leadership fault knob; only an emulator in this JVM has one a test can reach. */
  default java.util.Optional<ConsulSite.LeaderFault> leaderFault() {
    return java.util.Optional.empty();
  }
}
