package dev.selat.controlplane.latency;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * One probe agent's estimate of the RTT from its site to another.
 *
 * @param agentId the agent that measured it
 * @param rtt its smoothed RTT
 * @param lastSampleAt when its last probe answer arrived
 * @param stale the agent itself says the estimate is stale (no recent samples)
 * @param lost the agent lost its peer (every probe lost): no RTT to use
 */
public record AgentEstimate(String agentId, Duration rtt, Instant lastSampleAt, boolean stale, boolean lost) {
  public AgentEstimate {
    requireNonNull(agentId, "agentId");
    requireNonNull(rtt, "rtt");
    requireNonNull(lastSampleAt, "lastSampleAt");
  }
}
