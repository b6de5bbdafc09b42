package dev.selat.probe;

/** Agent configs for tests: loopback, every port picked free, a fast probe interval. */
final class AgentConfigs {
  private AgentConfigs() {}

  static ProbeAgentConfig.Draft loopback(String site) {
    ProbeAgentConfig.Draft draft = new ProbeAgentConfig.Draft();
    draft.site = site;
    draft.agentId = site + "-probe";
    draft.probePort = 0;
    draft.grpcPort = 0;
    draft.metricsPort = 0;
    draft.intervalMillis = 50L;
    return draft;
  }
}
