package dev.selat.testkit;

import dev.selat.emulator.ConsulEmulator;
import dev.selat.emulator.EmulatorConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** A consul-emulator in this JVM, in -dev mode (state in memory): the quickest site, but it cannot be kill -9'd. */
final class EmbeddedSiteRuntime implements SiteRuntime {
  private EmulatorConfig config;
  private ConsulEmulator emulator;

  EmbeddedSiteRuntime(ConsulSite.Options options) {
    EmulatorConfig.Acl acl = options.aclDefaultPolicy()
        .map(policy -> new EmulatorConfig.Acl(true, policy, Optional.of(options.managementToken())))
        .orElse(EmulatorConfig.Acl.DISABLED);
    this.config = EmulatorConfig.builder()
        .datacenter(options.datacenter())
        .nodeName(options.nodeName())
        .httpPort(options.httpPort())
        .acl(acl)
        .build();
    this.emulator = ConsulEmulator.start(config);
    // A restart must come back on the same port, so pin the one the emulator picked.
    this.config = config.toBuilder().httpPort(emulator.httpAddress().getPort()).build();
  }

  @Override
  public URI httpAddress() {
    return emulator.httpAddress();
  }

  @Override
  public void kill9() {
    throw new UnsupportedOperationException(
        "kill9: an embedded emulator cannot be killed; start the site with Options.builder(..).process(true)");
  }

  /** Stops and starts the emulator on the same port; in -dev mode its state starts empty again, as consul -dev's does. */
  @Override
  public void restart() {
    emulator.close();
    emulator = ConsulEmulator.start(config);
  }

  @Override
  public void stop() {
    emulator.close();
  }

  /** Follows restarts: each call reaches the emulator running now. */
  @Override
  public Optional<ConsulSite.LeaderFault> leaderFault() {
    return Optional.of(new ConsulSite.LeaderFault() {
      @Override
      public void noLeader(Duration lastContact) {
        emulator.leader().noLeader(lastContact);
      }

      @Override
      public void staleFollower(Duration lastContact) {
        emulator.leader().staleFollower(lastContact);
      }

      @Override
      public void healthy() {
        emulator.leader().healthy();
      }
    });
  }
}
