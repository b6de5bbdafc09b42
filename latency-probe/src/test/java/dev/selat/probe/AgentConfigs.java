package dev.selat.probe;

/** Agent configs for tests: loopback, every port picked free, a fast probe interval. */
final class AgentConfigs {
  private AgentConfigs() {}

  static ProbeAgentConfig.Draft loopback(String site) {
    return ProbeAgentConfig.Draft.onLoopback(site, 50L);
  }
}
