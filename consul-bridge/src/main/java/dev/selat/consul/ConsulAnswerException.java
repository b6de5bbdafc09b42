package dev.selat.consul;

/**
 * A Consul answer that Selat cannot use: malformed JSON, a missing or ill-typed field, a value out of range (a port
 * above 65535, an unknown check status). The message starts with the path of the offending field in Consul's JSON
 * (for instance {@code Checks[c1].Status}); a request that receives such an answer fails with a
 * {@link ConsulQueryException} naming the site and the endpoint. Bad <em>configuration</em> is a
 * {@link ConsulConfigException} instead.
 */
public final class ConsulAnswerException extends IllegalArgumentException {
  private final String field;

  public ConsulAnswerException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  /** The path of the offending field in the answer. */
  public String field() {
    return field;
  }
}
