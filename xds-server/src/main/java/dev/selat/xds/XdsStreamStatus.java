package dev.selat.xds;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A connected stream as of its latest change, from {@link XdsServer#streams()}: who it is, and per
 * type URL what was last sent, ACKed and NACKed and what it subscribes to. Immutable; the stream
 * publishes a new one whenever one of these changes, so reading costs the stream nothing.
 *
 * @param stream the stream and its node (the node's extensions list left out)
 * @param connectedAt when the call started
 * @param types one entry per type URL the stream asked for, in the order responses go out (CDS,
 *     EDS, LDS, RDS, others)
 */
public record XdsStreamStatus(XdsStreamInfo stream, Instant connectedAt, List<TypeStatus> types) {
  public XdsStreamStatus {
    requireNonNull(stream, "stream");
    requireNonNull(connectedAt, "connectedAt");
    types = List.copyOf(types);
  }

  public String nodeId() {
    return stream.node().getId();
  }

  /** The node's metadata as plain values (String, Double, Boolean, null, List, Map), for JSON. */
  public Map<String, Object> nodeMetadata() {
    return plain(stream.node().getMetadata());
  }

  /**
   * One type URL on the stream. Versions are SotW's {@code version_info}, or Delta's {@code
   * system_version_info} (the snapshot's version).
   *
   * @param sentVersion the version of the latest response sent; empty before the first
   * @param sentNonce the nonce of the latest response sent; empty before the first
   * @param awaitingAck the latest response is neither ACKed nor NACKed yet
   * @param ackedVersion the version of the latest response the client ACKed (or, in SotW, held
   *     already when it reconnected); empty if none
   * @param lastNack the latest NACK, if any, even if a later version was ACKed
   */
  public record TypeStatus(String typeUrl, Optional<String> sentVersion, Optional<String> sentNonce,
      boolean awaitingAck, Optional<String> ackedVersion, Optional<Nack> lastNack, Subscription subscription) {
    public TypeStatus {
      requireNonNull(typeUrl, "typeUrl");
      requireNonNull(sentVersion, "sentVersion");
      requireNonNull(sentNonce, "sentNonce");
      requireNonNull(ackedVersion, "ackedVersion");
      requireNonNull(lastNack, "lastNack");
      requireNonNull(subscription, "subscription");
    }
  }

  /**
   * A rejected response.
   *
   * @param version the version of the response the client rejected
   * @param errorDetail the message of the request's {@code error_detail}
   * @param at when the NACK arrived
   */
  public record Nack(String version, String errorDetail, Instant at) {
    public Nack {
      requireNonNull(version, "version");
      requireNonNull(errorDetail, "errorDetail");
      requireNonNull(at, "at");
    }
  }

  /**
   * What a stream subscribes to for one type.
   *
   * @param wildcard every resource of the type ("*", or the legacy empty list for Listener and Cluster)
   * @param count the resource names subscribed by name
   * @param names those names, sorted, when there are at most {@link #LISTED_UP_TO}; empty beyond
   */
  public record Subscription(boolean wildcard, int count, List<String> names) {
    /** Subscriptions naming more resources than this list none of them (an EDS stream may name thousands). */
    public static final int LISTED_UP_TO = 16;

    public Subscription {
      names = List.copyOf(names);
    }

    static Subscription of(boolean wildcard, List<String> subscribed) {
      return new Subscription(wildcard, subscribed.size(),
          subscribed.size() <= LISTED_UP_TO ? subscribed : List.of());
    }
  }

  private static Map<String, Object> plain(Struct struct) {
    Map<String, Object> out = new TreeMap<>();
    struct.getFieldsMap().forEach((key, value) -> out.put(key, plain(value)));
    return Collections.unmodifiableMap(out);
  }

  private static Object plain(Value value) {
    return switch (value.getKindCase()) {
      case STRING_VALUE -> value.getStringValue();
      case NUMBER_VALUE -> value.getNumberValue();
      case BOOL_VALUE -> value.getBoolValue();
      case STRUCT_VALUE -> plain(value.getStructValue());
      case LIST_VALUE -> {
        List<Object> list = new ArrayList<>();
        value.getListValue().getValuesList().forEach(v -> list.add(plain(v)));
        yield Collections.unmodifiableList(list);
      }
      case NULL_VALUE, KIND_NOT_SET -> null;
    };
  }
}
