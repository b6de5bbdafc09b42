package dev.selat.emulator.http;

import dev.selat.emulator.acl.Access;
import dev.selat.emulator.acl.Resource;
import dev.selat.emulator.state.Coordinate;
import dev.selat.emulator.state.Table;
import dev.selat.emulator.state.Watches.WatchSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** /v1/coordinate/*: datacenters, nodes, node/:n, update (applied at once, not batched). */
final class CoordinateEndpoint {
  private final Site site;

  CoordinateEndpoint(Site site) {
    this.site = site;
  }

  void routes(Router r) {
    r.get("/v1/coordinate/datacenters", this::datacenters);
    r.get("/v1/coordinate/nodes", c -> nodes(c, null));
    r.get("/v1/coordinate/node/", c -> nodes(c, c.required("node name")));
    r.put("/v1/coordinate/update", this::update);
  }

  private Reply datacenters(Call c) {
    List<Map<String, Object>> coords = site.store().read(r -> r.<Coordinate>all(Table.COORDINATES).stream()
        .map(CoordinateEndpoint::view).toList());
    Map<String, Object> dc = new LinkedHashMap<>();
    dc.put("Datacenter", site.dc());
    dc.put("AreaID", "wan");
    dc.put("Coordinates", coords.isEmpty()
        ? List.of(Map.of("Node", site.agent().nodeName() + "." + site.dc(), "Coord", origin())) : coords);
    return Reply.json(List.of(dc));
  }

  private Reply nodes(Call c, String node) {
    site.checkDc(c);
    Reply reply = Blocking.run(c, site.store(), r -> {
      List<Object> out = new ArrayList<>();
      boolean hidden = false;
      for (Coordinate co : node == null ? r.<Coordinate>all(Table.COORDINATES)
          : r.<Coordinate>scan(Table.COORDINATES, Table.nodePrefix(node))) {
        if (c.authz().allowed(Resource.NODE, co.node(), Access.READ)) {
          out.add(view(co));
        } else {
          hidden = true;
        }
      }
      return new Blocking.Answer(out, r.index("coordinates"), WatchSet.of("coordinates"), hidden);
    });
    if (node != null && ((List<?>) reply.json()).isEmpty()) {
      return Reply.text(404, "").withHeaders(reply);
    }
    return reply;
  }

  private Reply update(Call c) {
    site.checkDc(c);
    Body b = Body.parse(c.body(), "CoordinateUpdateRequest");
    String node = b.str("Node");
    if (node.isEmpty()) {
      throw HttpError.badRequest("Missing node name");
    }
    if (!b.present("Coord") || !b.raw("Coord").isObject()) {
      throw HttpError.badRequest("Missing or invalid Coord");
    }
    c.require(Resource.NODE, node, Access.WRITE);
    Coordinate co = new Coordinate(node, b.str("Segment"), b.raw("Coord"));
    site.store().write(tx -> {
      if (tx.get(Table.NODES, node).isPresent()) {
        tx.put(Table.COORDINATES, Coordinate.key(node, co.segment()), co);
      }
      return null;
    });
    return Reply.empty();
  }

  private static Map<String, Object> view(Coordinate co) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Node", co.node());
    m.put("Segment", co.segment());
    m.put("Coord", co.coord());
    return m;
  }

  private static Map<String, Object> origin() {
    return Map.of("Vec", List.of(0, 0, 0, 0, 0, 0, 0, 0), "Error", 1.5, "Adjustment", 0, "Height", 1e-5);
  }
}
