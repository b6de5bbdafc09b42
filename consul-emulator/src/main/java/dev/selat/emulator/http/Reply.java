package dev.selat.emulator.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What an endpoint answers: status, extra headers and a body (JSON value or raw bytes). */
public record Reply(int status, Object json, byte[] raw, String contentType, Map<String, String> headers) {
  private static final byte[] NONE = new byte[0];

  public static Reply json(Object value) {
    return new Reply(200, value, null, "application/json", new LinkedHashMap<>());
  }

  public static Reply empty() {
    return new Reply(200, null, NONE, "text/plain; charset=utf-8", new LinkedHashMap<>());
  }

  public static Reply text(int status, String text) {
    return new Reply(status, null, text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8",
        new LinkedHashMap<>());
  }

  public static Reply raw(byte[] bytes, String contentType) {
    return new Reply(200, null, bytes, contentType, new LinkedHashMap<>());
  }

  public Reply header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  /** This reply with the headers of another (a 404 keeps the query's index headers). */
  public Reply withHeaders(Reply other) {
    headers.putAll(other.headers);
    return this;
  }

  public Reply withStatus(int code) {
    return new Reply(code, json, raw, contentType, headers);
  }
}
