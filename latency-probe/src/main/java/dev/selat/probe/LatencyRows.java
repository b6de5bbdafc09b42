package dev.selat.probe;

import dev.selat.proto.v1.LatencyRow;
import dev.selat.proto.v1.LinkEstimate;
import dev.selat.proto.v1.ProbeMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Builds the wire form ({@code selat.v1.LatencyRow}) of an agent's row; the only place proto types are made. */
final class LatencyRows {
  private LatencyRows() {}

  static LatencyRow toProto(String sourceSite, String agentId, Instant now, List<PeerEstimate> estimates) {
    LatencyRow.Builder row = LatencyRow.newBuilder()
        .setSourceSite(sourceSite)
        .setAgentId(agentId)
        .setGeneratedAt(timestamp(now));
    for (PeerEstimate cell : estimates) {
      RttEstimate e = cell.estimate();
      LinkEstimate.Builder link = LinkEstimate.newBuilder()
          .setTargetSite(cell.peer().siteId())
          .setPath(cell.peer().path())
          .setRttP50(duration(e.p50()))
          .setRttP90(duration(e.p90()))
          .setRttP99(duration(e.p99()))
          .setRttSmoothed(duration(e.smoothed()))
          .setJitter(duration(e.jitter()))
          .setLossRatio(e.lossRatio())
          .setSamples(e.samples())
          .setLost(e.lost())
          .setMethod(cell.transport() == ProbeTransport.UDP ? ProbeMethod.PROBE_METHOD_UDP_ECHO
              : ProbeMethod.PROBE_METHOD_TCP_ECHO)
          .setStale(e.stale())
          .setChangeGeneration(e.changeGeneration());
      e.sinceLastSample().ifPresent(age -> link.setLastSampleAt(timestamp(now.minus(age))));
      row.addEstimates(link);
    }
    return row.build();
  }

  private static com.google.protobuf.Duration duration(Duration d) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }

  private static com.google.protobuf.Timestamp timestamp(Instant t) {
    return com.google.protobuf.Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }
}
