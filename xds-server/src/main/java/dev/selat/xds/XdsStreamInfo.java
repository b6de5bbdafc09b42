package dev.selat.xds;

import static java.util.Objects.requireNonNull;

import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.Locale;

/**
 * What callbacks learn about a stream.
 *
 * @param id unique within the server
 * @param protocol SotW or Delta
 * @param service "ads" or the per-type service ("cds", "eds", "lds", "rds")
 * @param node the node from the stream's first request, without its (long) extensions list
 * @param group the group the node was mapped to
 */
public record XdsStreamInfo(long id, Protocol protocol, String service, Node node, String group) {
  public XdsStreamInfo {
    requireNonNull(protocol, "protocol");
    requireNonNull(service, "service");
    requireNonNull(node, "node");
    requireNonNull(group, "group");
  }

  /** The xDS protocol variant of a stream. */
  public enum Protocol {
    SOTW,
    DELTA;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
