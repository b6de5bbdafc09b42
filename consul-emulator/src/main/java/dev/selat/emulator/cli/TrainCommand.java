package dev.selat.emulator.cli;

import dev.selat.emulator.ConsulEmulator;
import dev.selat.emulator.EmulatorConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code train}: starts a -dev emulator on a free port, sends it the requests a client's first
 * seconds make, and exits. The launcher runs it once per jar with -XX:AOTCacheOutput so later
 * starts load and link those classes from the AOT cache (start-up is what the conformance suite,
 * starting one server per test, pays most for).
 */
@Command(name = "train", hidden = true)
final class TrainCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    try (ConsulEmulator e = ConsulEmulator.start(EmulatorConfig.builder().nodeName("train").build())) {
      HttpClient http = HttpClient.newHttpClient();
      URI base = e.httpAddress();
      List<String[]> calls = List.of(
          new String[] {"GET", "/v1/status/leader", ""},
          new String[] {"GET", "/v1/catalog/nodes", ""},
          new String[] {"GET", "/v1/agent/connect/ca/roots", ""},
          new String[] {"GET", "/v1/agent/self", ""},
          new String[] {"PUT", "/v1/agent/service/register", "{\"Name\":\"web\",\"Check\":{\"TTL\":\"10s\"}}"},
          new String[] {"PUT", "/v1/kv/train/a?cas=0", "v"},
          new String[] {"GET", "/v1/kv/train/?recurse", ""},
          new String[] {"GET", "/v1/health/service/web?passing&filter=Service.Port%20%3D%3D%200", ""},
          new String[] {"PUT", "/v1/session/create", "{\"TTL\":\"15s\"}"},
          new String[] {"PUT", "/v1/txn", "[{\"KV\":{\"Verb\":\"get\",\"Key\":\"train/a\"}}]"});
      for (String[] c : calls) {
        http.send(HttpRequest.newBuilder(base.resolve(c[1])).method(c[0], HttpRequest.BodyPublishers.ofString(c[2]))
            .build(), HttpResponse.BodyHandlers.discarding());
      }
    }
    return 0;
  }
}
