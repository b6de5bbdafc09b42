package dev.selat.emulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The value Go's github.com/mitchellh/hashstructure (v0.0.0-20170609045927-2bca23e0e452, the version
 * Consul's agent uses for ContentHash) computes with nil options, for a JSON value whose Go type is
 * described by a {@link GoType}. Consul clients compare these hashes with ours, so the walk mirrors the
 * library exactly: FNV-1 (not 1a) 64-bit; ints written little-endian at their width (Go int as int64),
 * bools as one byte; strings as their bytes; a nil pointer as int64 0; slices chained in order; maps and
 * struct fields XOR-ed (order-free); a struct starts from the hash of its type name. A JSON null or
 * missing field is the Go zero value.
 */
final class GoStructHash {
  private static final long OFFSET = 0xcbf29ce484222325L;
  private static final long PRIME = 0x100000001b3L;

  private GoStructHash() {}

  /** A Go type, as much of it as hashing needs. */
  sealed interface GoType {}

  /** string, or a named string type (ServiceKind). */
  record Str() implements GoType {}

  /** A sized integer; {@code bytes} is 8 for Go's int, int64 and uint64. */
  record Int(int bytes) implements GoType {}

  record Bool() implements GoType {}

  record Slice(GoType elem) implements GoType {}

  /** A map with string keys. */
  record MapOf(GoType value) implements GoType {}

  record Ptr(GoType elem) implements GoType {}

  /** Exported fields in declaration order; a field tagged {@code hash:"ignore"} is listed as ignored. */
  record Struct(String name, List<Field> fields) implements GoType {}

  record Field(String name, GoType type, boolean ignored) {
    static Field of(String name, GoType type) {
      return new Field(name, type, false);
    }

    static Field ignored(String name) {
      return new Field(name, null, true);
    }
  }

  /**
   * A value whose Go type the emulator does not model (it only stores and returns it): hashed from its
   * JSON text, so the hash still changes with the value, but it is not the number Consul would compute.
   */
  record Opaque() implements GoType {}

  static final GoType STRING = new Str();
  /** Go's int, int64 and uint64 alike. */
  static final GoType INT = new Int(8);
  static final GoType BOOL = new Bool();
  static final GoType OPAQUE = new Opaque();

  static long hash(GoType type, JsonNode value) {
    JsonNode v = value == null || value.isNull() || value.isMissingNode() ? null : value;
    return switch (type) {
      case Str s -> string(v == null ? "" : v.asText());
      case Int i -> integer(v == null ? 0 : v.asLong(), i.bytes());
      case Bool b -> integer(v != null && v.asBoolean() ? 1 : 0, 1);
      case Ptr p -> v == null ? integer(0, 8) : hash(p.elem(), v);
      case Slice s -> {
        long h = 0;
        for (int i = 0; v != null && i < v.size(); i++) {
          h = ordered(h, hash(s.elem(), v.get(i)));
        }
        yield h;
      }
      case MapOf m -> {
        long h = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = v == null ? null : v.fields(); it != null && it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          h ^= ordered(string(e.getKey()), hash(m.value(), e.getValue()));
        }
        yield h;
      }
      case Struct s -> {
        long h = string(s.name());
        for (Field f : s.fields()) {
          if (!f.ignored()) {
            h ^= ordered(string(f.name()), hash(f.type(), v == null ? null : v.get(f.name())));
          }
        }
        yield h;
      }
      case Opaque o -> v == null ? integer(0, 8) : fnv1(Json.write(v));
    };
  }

  private static long string(String s) {
    return fnv1(s.getBytes(StandardCharsets.UTF_8));
  }

  private static long integer(long x, int bytes) {
    byte[] b = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      b[i] = (byte) (x >>> (8 * i));
    }
    return fnv1(b);
  }

  /** hashstructure's hashUpdateOrdered: FNV-1 over both values, little-endian. */
  private static long ordered(long a, long b) {
    byte[] buf = new byte[16];
    for (int i = 0; i < 8; i++) {
      buf[i] = (byte) (a >>> (8 * i));
      buf[8 + i] = (byte) (b >>> (8 * i));
    }
    return fnv1(buf);
  }

  private static long fnv1(byte[] data) {
    long h = OFFSET;
    for (byte x : data) {
      h *= PRIME;
      h ^= x & 0xff;
    }
    return h;
  }
}
