package dev.selat.emulator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.stream.Collectors;

/**
 * JSON in and out. Request bodies decode case-insensitively, as Go's encoding/json does; a decode
 * failure is a 400 "Request decode failed: ..." naming the field, as Consul answers.
 */
public final class Json {
  /** Configured once, never mutated after: safe to share between emulator instances. */
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();

  private Json() {}

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value.getClass(), e);
    }
  }

  public static JsonNode tree(Object value) {
    return MAPPER.valueToTree(value);
  }

  /** Decodes a request body; empty bodies are a 400 unless {@code emptyAllowed}. */
  public static <T> T decode(byte[] body, Class<T> type) {
    if (body.length == 0) {
      throw HttpError.badRequest("Request decode failed: EOF");
    }
    try {
      return MAPPER.readValue(body, type);
    } catch (MismatchedInputException e) {
      String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName()
          : "[" + r.getIndex() + "]").collect(Collectors.joining("."));
      throw HttpError.badRequest("Request decode failed: json: cannot unmarshal "
          + (field.isEmpty() ? "body" : "field " + field) + " into " + e.getTargetType().getSimpleName()
          + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw HttpError.badRequest("Request decode failed: " + msg);
    }
  }
}
