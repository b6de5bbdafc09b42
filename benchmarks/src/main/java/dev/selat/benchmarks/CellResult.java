package dev.selat.benchmarks;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What one server did for one protocol and client count.
 *
 * @param stormNanos from opening all N streams at once until the last client held every cluster and
 *     endpoint and had ACKed them; -1 if not all were served in time
 * @param stormPeakHeap the server's peak heap (sampled every 10 ms) during the storm
 * @param retainedPerStream (heap after GC with N streams - heap after GC before any) / N
 * @param fanoutNanos per measured update: publish to the last client's ACK of it
 * @param timeouts measured updates that did not reach every client in time
 * @param cpuNanosPerUpdate per measured update: server process CPU from publish to the last ACK
 * @param bytesPerStream per measured update: response bytes received / N
 * @param peakDirect the server's peak direct memory over the whole cell
 * @param failures stream failures clients saw, by gRPC status (admission refusals included)
 * @param failure why the cell stopped early, or null
 */
record CellResult(BenchServer.Kind server, String protocol, int clients, int streamsPerChannel,
    long stormNanos, long stormPeakHeap, long retainedPerStream, List<Long> fanoutNanos, int timeouts,
    List<Long> cpuNanosPerUpdate, List<Long> bytesPerStream, long peakDirect,
    Map<Status.Code, Long> failures, String failure) {

  CellResult {
    fanoutNanos = List.copyOf(fanoutNanos);
    cpuNanosPerUpdate = List.copyOf(cpuNanosPerUpdate);
    bytesPerStream = List.copyOf(bytesPerStream);
    failures = Map.copyOf(failures);
  }

  /** Nearest-rank percentile (0 < p <= 100) of {@code values}, or -1 when empty. */
  static long percentile(List<Long> values, double p) {
    if (values.isEmpty()) {
      return -1;
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  long fanoutP50() {
    return percentile(fanoutNanos, 50);
  }

  long fanoutP99() {
    return percentile(fanoutNanos, 99);
  }

  long fanoutMax() {
    return percentile(fanoutNanos, 100);
  }

  long cpuP50() {
    return percentile(cpuNanosPerUpdate, 50);
  }

  long bytesP50() {
    return percentile(bytesPerStream, 50);
  }
}
