package dev.selat.probe;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One probe, TWAMP-light style (RFC 5357 appendix I): the sender writes a sequence number, its monotonic send
 * timestamp and its agent id; the reflector answers with the same bytes plus its own receive and send timestamps,
 * so a reply is exactly as long as its request (a reflector can never amplify traffic).
 *
 * <pre>
 * offset size field (big-endian)
 *   0     4   magic "SLTP" (0x534C5450)
 *   4     1   version, 1
 *   5     1   kind: 1 request, 2 reply
 *   6     1   agent id length n, 1..64
 *   7     1   reserved, 0
 *   8     8   sequence number, per sender and peer
 *  16     8   sender timestamp: ns of the sender's monotonic clock, echoed untouched
 *  24     8   reflector receive timestamp: ns of the reflector's monotonic clock (0 in a request)
 *  32     8   reflector send timestamp (0 in a request)
 *  40     n   sender agent id, ASCII [A-Za-z0-9._-]
 * </pre>
 *
 * A packet is valid only if its length is exactly {@code 40 + n}. Timestamps from different clocks are never
 * compared: RTT = (sender receive - sender timestamp) - (reflector send - reflector receive).
 */
public record ProbePacket(
    Kind kind, long sequence, long senderTimestamp, long reflectorReceive, long reflectorSend, String agentId) {

  public static final int MAGIC = 0x534C5450;
  public static final byte VERSION = 1;
  public static final int HEADER_LENGTH = 40;
  public static final int MAX_AGENT_ID_LENGTH = 64;
  public static final int MAX_LENGTH = HEADER_LENGTH + MAX_AGENT_ID_LENGTH;

  public enum Kind {
    REQUEST(1),
    REPLY(2);

    final byte code;

    Kind(int code) {
      this.code = (byte) code;
    }
  }

  public ProbePacket {
    requireNonNull(kind, "kind");
    requireValidId(requireNonNull(agentId, "agentId"), "agentId");
  }

  public static ProbePacket request(long sequence, long senderTimestamp, String agentId) {
    return new ProbePacket(Kind.REQUEST, sequence, senderTimestamp, 0, 0, agentId);
  }

  /** The reply a reflector sends for this request. */
  public ProbePacket reflect(long receivedAt, long sentAt) {
    return new ProbePacket(Kind.REPLY, sequence, senderTimestamp, receivedAt, sentAt, agentId);
  }

  public int length() {
    return HEADER_LENGTH + agentId.length();
  }

  /** Writes the packet at the buffer's position; the buffer needs {@link #length()} bytes left. */
  public ByteBuffer writeTo(ByteBuffer out) {
    out.putInt(MAGIC)
        .put(VERSION)
        .put(kind.code)
        .put((byte) agentId.length())
        .put((byte) 0)
        .putLong(sequence)
        .putLong(senderTimestamp)
        .putLong(reflectorReceive)
        .putLong(reflectorSend)
        .put(agentId.getBytes(StandardCharsets.US_ASCII));
    return out;
  }

  public byte[] toBytes() {
    return writeTo(ByteBuffer.allocate(length())).array();
  }

  /** The outcome of decoding untrusted bytes: a packet, or the reason it was rejected. */
  public sealed interface Decoded {}

  public record Valid(ProbePacket packet) implements Decoded {}

  public record Rejected(DropReason reason) implements Decoded {}

  /**
   * Decodes the bytes between the buffer's position and limit, accepting only {@code expected} kind. Never throws on
   * bad input: every malformed shape maps to a {@link DropReason}.
   */
  public static Decoded decode(ByteBuffer in, Kind expected) {
    int length = in.remaining();
    if (length < HEADER_LENGTH) {
      return new Rejected(DropReason.TRUNCATED);
    }
    if (length > MAX_LENGTH) {
      return new Rejected(DropReason.OVERSIZED);
    }
    int start = in.position();
    if (in.getInt(start) != MAGIC) {
      return new Rejected(DropReason.BAD_MAGIC);
    }
    if (in.get(start + 4) != VERSION) {
      return new Rejected(DropReason.BAD_VERSION);
    }
    if (in.get(start + 5) != expected.code) {
      return new Rejected(DropReason.BAD_KIND);
    }
    int idLength = in.get(start + 6) & 0xFF;
    if (in.get(start + 7) != 0 || length != HEADER_LENGTH + idLength) {
      return new Rejected(DropReason.BAD_LENGTH);
    }
    byte[] id = new byte[idLength];
    in.get(start + HEADER_LENGTH, id);
    String agentId = new String(id, StandardCharsets.US_ASCII);
    if (!isValidAgentId(agentId)) {
      return new Rejected(DropReason.BAD_AGENT_ID);
    }
    return new Valid(new ProbePacket(
        expected, in.getLong(start + 8), in.getLong(start + 16), in.getLong(start + 24), in.getLong(start + 32), agentId));
  }

  /** {@code id} if it is a valid agent id (also the rule for site ids); else an error naming {@code field}. */
  public static String requireValidId(String id, String field) {
    if (!isValidAgentId(id)) {
      throw new IllegalArgumentException(
          field + ": must be 1.." + MAX_AGENT_ID_LENGTH + " characters of [A-Za-z0-9._-], got '" + id + "'");
    }
    return id;
  }

  public static boolean isValidAgentId(String id) {
    if (id.isEmpty() || id.length() > MAX_AGENT_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
