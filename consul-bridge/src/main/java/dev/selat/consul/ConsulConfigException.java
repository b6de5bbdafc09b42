package dev.selat.consul;

/** Bad configuration or bad data from Consul; the message starts with the path of the offending field. */
public final class ConsulConfigException extends IllegalArgumentException {
  private final String field;

  public ConsulConfigException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
