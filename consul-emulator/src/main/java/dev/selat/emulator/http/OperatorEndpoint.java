package dev.selat.emulator.http;

import dev.selat.emulator.acl.Access;
import dev.selat.emulator.acl.Resource;
import dev.selat.emulator.state.Codec;
import dev.selat.emulator.state.StateImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * /v1/operator/raft/configuration and /v1/snapshot. A snapshot is the emulator's own format: the
 * gzip of the JSON image ({@link Codec}); restoring one replaces all state and the index keeps
 * rising past both the current and the snapshot's index.
 */
final class OperatorEndpoint {
  private final Site site;

  OperatorEndpoint(Site site) {
    this.site = site;
  }

  void routes(Router r) {
    r.get("/v1/operator/raft/configuration", this::raftConfiguration);
    r.route("/v1/snapshot", java.util.Set.of("GET", "PUT", "POST"),
        c -> c.method().equals("GET") ? save(c) : restore(c));
  }

  private Reply raftConfiguration(Call c) {
    c.require(Resource.OPERATOR, "", Access.READ);
    Map<String, Object> server = new LinkedHashMap<>();
    server.put("ID", site.agent().self().id());
    server.put("Node", site.agent().nodeName());
    server.put("Address", site.config().bindAddr() + ":8300");
    server.put("Leader", true);
    server.put("ProtocolVersion", "3");
    server.put("Voter", true);
    server.put("LastIndex", site.store().lastIndex());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("Servers", List.of(server));
    out.put("Index", site.store().lastIndex());
    return Reply.json(out);
  }

  private Reply save(Call c) throws IOException {
    site.checkDc(c);
    c.require(Resource.ACL, "", Access.WRITE);
    StateImage image = site.store().image();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
      gz.write(Codec.image(image));
    }
    return Reply.raw(buf.toByteArray(), "application/x-gzip")
        .header("X-Consul-Index", Long.toString(Math.max(image.lastIndex(), 1)))
        .header("X-Consul-KnownLeader", "true").header("X-Consul-LastContact", "0");
  }

  private Reply restore(Call c) {
    site.checkDc(c);
    c.require(Resource.ACL, "", Access.WRITE);
    StateImage image;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(c.bodyUnbounded()))) {
      image = Codec.image(in.readAllBytes());
    } catch (IOException e) {
      throw new HttpError(500, "failed to read snapshot: " + e.getMessage());
    }
    site.store().restore(image, true);
    site.agent().start();
    site.reaper().rearm();
    return Reply.empty();
  }
}
