package dev.selat.emulator.http;

import static dev.selat.emulator.http.GoStructHash.BOOL;
import static dev.selat.emulator.http.GoStructHash.INT;
import static dev.selat.emulator.http.GoStructHash.OPAQUE;
import static dev.selat.emulator.http.GoStructHash.STRING;

import dev.selat.emulator.http.GoStructHash.Field;
import dev.selat.emulator.http.GoStructHash.MapOf;
import dev.selat.emulator.http.GoStructHash.Ptr;
import dev.selat.emulator.http.GoStructHash.Slice;
import dev.selat.emulator.http.GoStructHash.Struct;
import java.util.List;
import java.util.Map;

/**
 * The ContentHash of GET /v1/agent/service/:id: Consul hashes the api.AgentService it answers (before
 * setting ContentHash) with hashstructure, and clients send it back in ?hash= to block. The type below is
 * api.AgentService of consul/api v1.34.5, field by field; Proxy and AI are {@link GoStructHash.Opaque}
 * (the emulator only stores them), so a proxy's hash changes with it but is not Consul's number.
 */
final class AgentServiceHash {
  private static final Struct AGENT_SERVICE = new Struct("AgentService", List.of(
      Field.of("Kind", STRING),
      Field.of("ID", STRING),
      Field.of("Service", STRING),
      Field.of("Tags", new Slice(STRING)),
      Field.of("Meta", new MapOf(STRING)),
      Field.of("Port", INT),
      Field.of("Ports", new Slice(new Struct("ServicePort", List.of(
          Field.of("Name", STRING), Field.of("Port", INT), Field.of("Default", BOOL))))),
      Field.of("Address", STRING),
      Field.of("SocketPath", STRING),
      Field.of("TaggedAddresses", new MapOf(new Struct("ServiceAddress", List.of(
          Field.of("Address", STRING), Field.of("Port", INT))))),
      Field.of("Weights", new Struct("AgentWeights", List.of(Field.of("Passing", INT), Field.of("Warning", INT)))),
      Field.of("EnableTagOverride", BOOL),
      Field.of("CreateIndex", INT),
      Field.of("ModifyIndex", INT),
      Field.of("ContentHash", STRING),
      Field.of("Proxy", new Ptr(OPAQUE)),
      Field.of("Connect", new Ptr(new Struct("AgentServiceConnect", List.of(
          Field.of("Native", BOOL), Field.of("SidecarService", new Ptr(OPAQUE)))))),
      Field.of("PeerName", STRING),
      Field.of("AI", new Ptr(OPAQUE)),
      Field.ignored("Namespace"),
      Field.ignored("Partition"),
      Field.ignored("Datacenter"),
      Field.ignored("Locality")));

  private AgentServiceHash() {}

  /** The hash of an agent service view (Views.agentService) that has no ContentHash yet, as Consul formats it (%x). */
  static String of(Map<String, Object> agentService) {
    return Long.toHexString(GoStructHash.hash(AGENT_SERVICE, Json.tree(agentService)));
  }
}
