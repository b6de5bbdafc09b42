package dev.selat.consul;

/** One row of /v1/health/state/any: a check, the service it belongs to (empty for a node check), its ModifyIndex. */
record CheckState(String node, String checkId, String serviceName, long modifyIndex) {
  boolean isNodeCheck() {
    return serviceName.isEmpty();
  }
}
