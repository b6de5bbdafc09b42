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
 * @param jitter the agent's RTT jitter (shown, not routed on)
 * @param lossRatio the share of its probes lost in its loss window, 0..1 (shown, not routed on)
 */
public record AgentEstimate(String agentId, Duration rtt, Instant lastSampleAt, boolean stale, boolean lost,
    Duration jitter, double lossRatio) {
  public AgentEstimate {
    requireNonNull(agentId, "agentId");
    requireNonNull(rtt, "rtt");
    requireNonNull(lastSampleAt, "lastSampleAt");
    requireNonNull(jitter, "jitter");
  }

  /** An estimate without jitter or loss. */
  public AgentEstimate(String agentId, Duration rtt, Instant lastSampleAt, boolean stale, boolean lost) {
    this(agentId, rtt, lastSampleAt, stale, lost, Duration.ZERO, 0);
  }
}
