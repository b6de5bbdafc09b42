package dev.selat.controlplane.cli;

import static java.util.Objects.requireNonNull;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** A {@code host:port} from the command line; an IPv6 literal in brackets. */
record HostPort(String host, int port) {
  private static final Pattern FORM = Pattern.compile("(?:\\[([0-9a-fA-F:.]+)]|([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)):(\\d{1,5})");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  HostPort {
    requireNonNull(host, "host");
  }

  static HostPort parse(String text) {
    Matcher m = FORM.matcher(text.strip());
    if (!m.matches()) {
      throw new CommandLine.TypeConversionException("not host:port: '" + text + "'");
    }
    int port = Integer.parseInt(m.group(4));
    if (port < 1 || port > 65535) {
      throw new CommandLine.TypeConversionException("port must be 1..65535 in '" + text + "'");
    }
    return new HostPort(m.group(1) != null ? m.group(1) : m.group(2), port);
  }

  /** An IP literal (Envoy's STATIC cluster type), not a name to resolve (STRICT_DNS). */
  boolean isIpLiteral() {
    return host.contains(":") || IPV4.matcher(host).matches();
  }

  /** {@code host:port}, an IPv6 host in brackets (a gRPC target). */
  String target() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String toString() {
    return target();
  }
}
