package dev.selat.xds;

import dev.selat.xds.XdsStreamInfo.Protocol;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's meters, created once so the hot path only increments, and removed when the server
 * closes (a server started later on the same registry gets meters bound to its own state). Tags
 * are a small fixed set: protocol (sotw, delta), type (cds, eds, lds, rds, other), service (ads or
 * a type). Thread-safe.
 */
final class XdsMetrics implements AutoCloseable {
  private static final List<String> TYPES = List.of("cds", "eds", "lds", "rds", "other");
  private static final List<String> SERVICES = List.of("ads", "cds", "eds", "lds", "rds");

  private final Map<String, AtomicInteger> streams = new HashMap<>();
  private final Map<String, AtomicInteger> subscriptions = new HashMap<>();
  private final Map<String, Counter> responses = new HashMap<>();
  private final Map<String, Counter> bytesSent = new HashMap<>();
  private final Map<String, Counter> acks = new HashMap<>();
  private final Map<String, Counter> nacks = new HashMap<>();
  private final Map<String, Counter> staleNonces = new HashMap<>();
  private final Map<String, Timer> publishToAck = new HashMap<>();
  private final Map<String, Counter> rejected = new HashMap<>();
  private final MeterRegistry registry;
  private final List<Meter> registered = new ArrayList<>();

  XdsMetrics(MeterRegistry registry, OutboundBudget budget) {
    this.registry = registry;
    keep(Gauge.builder("selat.xds.outbound.queued", budget, OutboundBudget::queued).baseUnit("bytes")
        .description("Response bytes handed to the transport and not yet written, all streams")
        .register(registry));
    keep(Gauge.builder("selat.xds.outbound.waiting", budget, OutboundBudget::waiting)
        .description("Streams waiting for room under the outbound byte limit").register(registry));
    keep(FunctionCounter.builder("selat.xds.outbound.waits", budget, OutboundBudget::waits)
        .description("Times a stream found the outbound limit reached and waited for room").register(registry));
    keep(FunctionCounter.builder("selat.xds.outbound.stalled", budget, OutboundBudget::stalled)
        .description("Streams whose unwritten bytes stopped counting against the outbound limit after "
            + OutboundBudget.STALLED_AFTER.toSeconds() + " s (a client that stopped reading)")
        .register(registry));
    for (Protocol protocol : Protocol.values()) {
      String p = protocol.tag();
      for (String service : SERVICES) {
        AtomicInteger count = new AtomicInteger();
        keep(Gauge.builder("selat.xds.streams", count, AtomicInteger::get)
            .description("Open xDS streams")
            .tags("protocol", p, "service", service)
            .register(registry));
        streams.put(p + service, count);
      }
      for (String type : TYPES) {
        String key = p + type;
        AtomicInteger subscribed = new AtomicInteger();
        keep(Gauge.builder("selat.xds.subscriptions", subscribed, AtomicInteger::get)
            .description("Resource types subscribed on open streams")
            .tags("protocol", p, "type", type)
            .register(registry));
        subscriptions.put(key, subscribed);
        responses.put(key, keep(Counter.builder("selat.xds.responses").description("Responses sent")
            .tags("protocol", p, "type", type).register(registry)));
        bytesSent.put(key, keep(Counter.builder("selat.xds.bytes.sent").baseUnit("bytes")
            .description("Serialized size of responses sent").tags("protocol", p, "type", type)
            .register(registry)));
        acks.put(key, keep(Counter.builder("selat.xds.acks").description("Responses ACKed")
            .tags("protocol", p, "type", type).register(registry)));
        nacks.put(key, keep(Counter.builder("selat.xds.nacks").description("Responses NACKed")
            .tags("protocol", p, "type", type).register(registry)));
        staleNonces.put(key, keep(Counter.builder("selat.xds.requests.stale.nonce")
            .description("Requests answering a response nonce that is not the type's latest on the stream (stale or "
                + "unknown): their ACK or NACK is ignored")
            .tags("protocol", p, "type", type).register(registry)));
        publishToAck.put(key, keep(Timer.builder("selat.xds.publish.ack.latency")
            .description("From publishing a snapshot to the ACK of the response built from it")
            .tags("protocol", p, "type", type).publishPercentileHistogram().register(registry)));
      }
    }
    for (String reason : List.of("rate", "concurrent", "identity", "invalid")) {
      rejected.put(reason, keep(Counter.builder("selat.xds.streams.rejected")
          .description("Streams refused").tag("reason", reason).register(registry)));
    }
  }

  private <M extends Meter> M keep(M meter) {
    registered.add(meter);
    return meter;
  }

  /** Removes this server's meters from the registry. */
  @Override
  public void close() {
    registered.forEach(registry::remove);
  }

  void streamOpened(Protocol protocol, String service) {
    streams.get(protocol.tag() + service).incrementAndGet();
  }

  void streamClosed(Protocol protocol, String service) {
    streams.get(protocol.tag() + service).decrementAndGet();
  }

  void subscribed(Protocol protocol, String typeUrl, int delta) {
    subscriptions.get(protocol.tag() + TypeUrls.shortName(typeUrl)).addAndGet(delta);
  }

  void response(Protocol protocol, String typeUrl, int bytes) {
    String key = protocol.tag() + TypeUrls.shortName(typeUrl);
    responses.get(key).increment();
    bytesSent.get(key).increment(bytes);
  }

  void ack(Protocol protocol, String typeUrl, Duration sincePublish) {
    String key = protocol.tag() + TypeUrls.shortName(typeUrl);
    acks.get(key).increment();
    publishToAck.get(key).record(sincePublish);
  }

  void nack(Protocol protocol, String typeUrl) {
    nacks.get(protocol.tag() + TypeUrls.shortName(typeUrl)).increment();
  }

  void staleNonce(Protocol protocol, String typeUrl) {
    staleNonces.get(protocol.tag() + TypeUrls.shortName(typeUrl)).increment();
  }

  /** @param reason one of rate, concurrent, identity, invalid */
  void rejected(String reason) {
    rejected.get(reason).increment();
  }
}
