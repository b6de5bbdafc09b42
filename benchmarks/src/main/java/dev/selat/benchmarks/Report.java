package dev.selat.benchmarks;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToLongFunction;

/** Markdown tables of the figures, and of Selat's figures as ratios against each peer with the goals. */
final class Report {
  private Report() {}

  static String figures(List<CellResult> cells) {
    StringBuilder sb = new StringBuilder()
        .append("| N | streams/conn | protocol | server | fan-out p50 | p99 | max | updates | storm | storm peak heap"
            + " | retained/stream | server CPU/update | bytes/stream/update | peak direct | notes |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (CellResult c : cells) {
      sb.append(String.format(Locale.ROOT, "| %d | %d | %s | %s | %s | %s | %s | %d%s | %s | %s | %s | %s | %s | %s | %s |%n",
          c.clients(), c.streamsPerChannel(), c.protocol(), c.server().id(), millis(c.fanoutP50()),
          millis(c.fanoutP99()), millis(c.fanoutMax()), c.fanoutNanos().size(),
          c.timeouts() > 0 ? " (+" + c.timeouts() + " timed out)" : "", seconds(c.stormNanos()),
          mb(c.stormPeakHeap()), kb(c.retainedPerStream()), cpu(c.cpuP50()), bytes(c.bytesP50()), mb(c.peakDirect()),
          notes(c)));
    }
    return sb.toString();
  }

  static String ratios(List<CellResult> cells) {
    StringBuilder sb = new StringBuilder()
        .append("| N | protocol | figure | selat | jcp | floor | selat/jcp | selat/floor | goal |\n")
        .append("|---|---|---|---|---|---|---|---|---|\n");
    for (CellResult selat : cells) {
      if (selat.server() != BenchServer.Kind.SELAT) {
        continue;
      }
      Optional<CellResult> jcp = peer(cells, selat, BenchServer.Kind.JCP);
      Optional<CellResult> floor = peer(cells, selat, BenchServer.Kind.FLOOR);
      row(sb, selat, jcp, floor, "fan-out p50", CellResult::fanoutP50, Report::millis, "<= 1/5 jcp, <= 2x floor");
      row(sb, selat, jcp, floor, "fan-out p99", CellResult::fanoutP99, Report::millis, "<= 1/5 jcp, <= 2x floor");
      row(sb, selat, jcp, floor, "fan-out max", CellResult::fanoutMax, Report::millis, "<= 1/5 jcp, <= 2x floor");
      row(sb, selat, jcp, floor, "bytes/stream/update", CellResult::bytesP50, Report::bytes, "<= 1/100 jcp");
      row(sb, selat, jcp, floor, "retained/stream", CellResult::retainedPerStream, Report::kb, "<= 32 KB");
      row(sb, selat, jcp, floor, "server CPU/update", CellResult::cpuP50, Report::cpu, "");
      row(sb, selat, jcp, floor, "storm: all served", CellResult::stormNanos, Report::seconds, "");
      row(sb, selat, jcp, floor, "storm peak heap", CellResult::stormPeakHeap, Report::mb, "");
    }
    return sb.toString();
  }

  static String paced(List<Harness.PacedResult> runs) {
    StringBuilder sb = new StringBuilder()
        .append("| server | protocol | N | storm | storm peak heap | updates | interval | last update reached"
            + " | converged after | peak heap after the storm | peak direct | failure |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Harness.PacedResult r : runs) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %d | %s | %d of %d | %s | %s | %s | %s |%n",
          r.server().id(), r.protocol(), r.clients(), seconds(r.stormNanos()), mb(r.stormPeakHeap()), r.updates(),
          r.interval(), r.reachedLast(), r.clients(), seconds(r.convergeNanos()), mb(r.peakHeap()),
          mb(r.peakDirect()), r.failure() == null ? "none" : r.failure()));
    }
    return sb.toString();
  }

  private static Optional<CellResult> peer(List<CellResult> cells, CellResult selat, BenchServer.Kind kind) {
    return cells.stream().filter(c -> c.server() == kind && c.clients() == selat.clients()
        && c.streamsPerChannel() == selat.streamsPerChannel() && c.protocol().equals(selat.protocol())).findFirst();
  }

  private static void row(StringBuilder sb, CellResult selat, Optional<CellResult> jcp, Optional<CellResult> floor,
      String figure, ToLongFunction<CellResult> value, java.util.function.LongFunction<String> format, String goal) {
    long s = value.applyAsLong(selat);
    sb.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s | %s |%n", selat.clients(),
        selat.protocol(), figure, format.apply(s),
        jcp.map(c -> format.apply(value.applyAsLong(c))).orElse("-"),
        floor.map(c -> format.apply(value.applyAsLong(c))).orElse("-"),
        jcp.map(c -> ratio(s, value.applyAsLong(c))).orElse("-"),
        floor.map(c -> ratio(s, value.applyAsLong(c))).orElse("-"), goal));
  }

  private static String ratio(long selat, long peer) {
    if (selat < 0 || peer <= 0) {
      return "n/a";
    }
    double r = (double) selat / peer;
    return r >= 0.1 ? String.format(Locale.ROOT, "%.2f", r) : String.format(Locale.ROOT, "%.4f", r);
  }

  private static String notes(CellResult c) {
    StringBuilder sb = new StringBuilder();
    if (!c.failures().isEmpty()) {
      sb.append("stream failures ").append(c.failures()).append(' ');
    }
    if (c.failure() != null) {
      sb.append(c.failure());
    }
    return sb.toString().trim();
  }

  static String millis(long nanos) {
    return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }

  static String seconds(long nanos) {
    return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }

  static String cpu(long nanos) {
    return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
  }

  static String mb(long b) {
    return b < 0 ? "-" : String.format(Locale.ROOT, "%d MB", b >> 20);
  }

  static String kb(long b) {
    return b < 0 ? "-" : String.format(Locale.ROOT, "%.1f KB", b / 1024.0);
  }

  static String bytes(long b) {
    return b < 0 ? "-" : b >= 10_240 ? String.format(Locale.ROOT, "%.1f KB", b / 1024.0) : b + " B";
  }
}
