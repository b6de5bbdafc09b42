package dev.selat.emulator.http;

import dev.selat.emulator.EmulatorConfig;
import dev.selat.emulator.agent.ConnectCa;
import dev.selat.emulator.agent.LocalAgent;
import dev.selat.emulator.agent.LockDelays;
import dev.selat.emulator.agent.Reaper;
import dev.selat.emulator.acl.AclResolver;
import dev.selat.emulator.state.StateStore;
import java.time.Clock;

/** What every endpoint of one emulator instance shares; one per instance, no statics. */
public record Site(
    EmulatorConfig config, StateStore store, Clock clock, LocalAgent agent, AclResolver acls, ConnectCa ca,
    LockDelays lockDelays, Reaper reaper, LeaderState leader) {
  public String dc() {
    return config.datacenter();
  }

  /** Consul answers 500 "No path to datacenter" for a ?dc= it does not know. */
  public void checkDc(Call c) {
    checkDc(c.param("dc"));
  }

  /** As {@link #checkDc(Call)}, for a datacenter named in a request body (RegisterRequest.Datacenter). */
  public void checkDc(String dc) {
    if (dc != null && !dc.isEmpty() && !dc.equals(config.datacenter())) {
      throw new HttpError(500, "No path to datacenter");
    }
  }
}
