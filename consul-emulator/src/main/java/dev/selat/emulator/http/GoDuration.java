package dev.selat.emulator.http;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go's time.ParseDuration text ("1m30s", "250ms", "1.5h"), which Consul uses for every duration. */
public final class GoDuration {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

  private GoDuration() {}

  public static Duration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    String s = text;
    boolean negative = s.startsWith("-");
    if (negative || s.startsWith("+")) {
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(s);
    int at = 0;
    double nanos = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException("time: invalid duration \"" + text + "\"");
      }
      double n = Double.parseDouble(m.group(1));
      nanos += n * switch (m.group(2)) {
        case "ns" -> 1d;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      at = m.end();
    }
    Duration d = Duration.ofNanos((long) nanos);
    return negative ? d.negated() : d;
  }

  /** Go's Duration.String(): "15s", "1m0s", "1h0m0s", "500ms". */
  public static String format(Duration d) {
    long ns = d.toNanos();
    if (ns == 0) {
      return "0s";
    }
    if (ns < 1_000_000_000L) {
      if (ns % 1_000_000 == 0) {
        return ns / 1_000_000 + "ms";
      }
      return ns % 1000 == 0 ? ns / 1000 + "µs" : ns + "ns";
    }
    long h = ns / 3_600_000_000_000L;
    long m = ns / 60_000_000_000L % 60;
    double s = (ns % 60_000_000_000L) / 1e9;
    String secs = s == Math.floor(s) ? String.valueOf((long) s) : String.valueOf(s).replaceAll("0+$", "");
    if (h > 0) {
      return h + "h" + m + "m" + secs + "s";
    }
    if (m > 0) {
      return m + "m" + secs + "s";
    }
    return secs + "s";
  }
}
