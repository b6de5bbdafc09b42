package dev.selat.emulator.http;

import java.util.List;

/** /v1/status/leader and /v1/status/peers: this single server is the leader, unless {@link LeaderState} says not. */
final class StatusEndpoint {
  private final Site site;

  StatusEndpoint(Site site) {
    this.site = site;
  }

  void routes(Router r) {
    r.get("/v1/status/leader", c -> {
      site.checkDc(c);
      return Reply.json(site.leader().knownLeader() ? serverAddress() : "");
    });
    r.get("/v1/status/peers", c -> {
      site.checkDc(c);
      return Reply.json(List.of(serverAddress()));
    });
  }

  String serverAddress() {
    return site.config().bindAddr() + ":8300";
  }
}
