package dev.selat.consul;

/**
 * A request to a site's Consul failed. The message names the site and the endpoint (never a token: tokens travel only in
 * the X-Consul-Token header). {@code status} is the HTTP status, or 0 when no response arrived.
 */
public final class ConsulQueryException extends RuntimeException {
  private final String siteId;
  private final int status;

  ConsulQueryException(String siteId, String endpoint, int status, String detail, Throwable cause) {
    this(siteId, "GET", endpoint, status, detail, cause);
  }

  ConsulQueryException(String siteId, String method, String endpoint, int status, String detail, Throwable cause) {
    super("site " + siteId + ": " + method + " " + endpoint + " failed: " + describe(status, detail), cause);
    this.siteId = siteId;
    this.status = status;
  }

  private static String describe(int status, String detail) {
    String d = detail == null ? "" : detail.strip();
    if (d.length() > 200) {
      d = d.substring(0, 200) + "...";
    }
    return switch (status) {
      case 0 -> "no response (" + d + ")";
      case 401, 403 -> "HTTP " + status + " " + d
          + " (ACL: configure a token with service:read and node:read, and key:write on selat/ for policies, for this site, via token, tokenFile or CONSUL_HTTP_TOKEN)";
      case 429 -> "HTTP 429 " + d + " (too many connections: raise limits.http_max_conns_per_client or lower maxConnections)";
      default -> "HTTP " + status + " " + d;
    };
  }

  public String siteId() {
    return siteId;
  }

  public int status() {
    return status;
  }

  /** Whether retrying cannot help without an operator's change (ACL denied). */
  public boolean isDenied() {
    return status == 401 || status == 403;
  }
}
