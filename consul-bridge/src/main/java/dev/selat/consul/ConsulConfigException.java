package dev.selat.consul;

/**
 * Bad configuration of the bridge (a site, its TLS files, its token file, its limits); the message starts with the path
 * of the offending field, e.g. {@code sites.jakarta.maxConnections}. A bad answer from Consul is a
 * {@link ConsulAnswerException} instead.
 */
public final class ConsulConfigException extends IllegalArgumentException {
  private final String field;

  public ConsulConfigException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  /** The path of the offending configuration field. */
  public String field() {
    return field;
  }
}
