package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ProbePacketTest {

  @Test
  void decode_encodedReply_roundTrips() {
    ProbePacket reply = ProbePacket.request(42, 1_000_000L, "jakarta-probe-1").reflect(7, 9);

    ProbePacket.Decoded decoded = ProbePacket.decode(ByteBuffer.wrap(reply.toBytes()), ProbePacket.Kind.REPLY);

    assertThat(decoded).isEqualTo(new ProbePacket.Valid(reply));
    assertThat(reply.toBytes()).hasSize(ProbePacket.HEADER_LENGTH + "jakarta-probe-1".length());
  }

  @Test
  void reflect_request_keepsLengthSoReflectorNeverAmplifies() {
    ProbePacket request = ProbePacket.request(1, 2, "a");

    assertThat(request.reflect(3, 4).length()).isEqualTo(request.length());
  }

  @Test
  void decode_requestWhereReplyExpected_rejectsAsBadKind() {
    byte[] bytes = ProbePacket.request(1, 2, "a").toBytes();

    assertThat(ProbePacket.decode(ByteBuffer.wrap(bytes), ProbePacket.Kind.REPLY))
        .isEqualTo(new ProbePacket.Rejected(DropReason.BAD_KIND));
  }

  @Test
  void constructor_agentIdWithSpace_namesTheField() {
    assertThatThrownBy(() -> ProbePacket.request(1, 2, "bad id"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("agentId");
  }

  @Test
  void constructor_agentIdTooLong_namesTheField() {
    assertThatThrownBy(() -> ProbePacket.request(1, 2, "a".repeat(ProbePacket.MAX_AGENT_ID_LENGTH + 1)))
        .hasMessageContaining("agentId");
  }
}
