package dev.selat.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProbeResponderTest {
  private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
  private static final Duration AWAIT = Duration.ofSeconds(10);

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private ProbeResponder responder;
  private DatagramSocket client;

  @BeforeEach
  void setUp() throws IOException {
    client = new DatagramSocket(LOOPBACK_ANY_PORT);
    client.setSoTimeout(5_000);
  }

  @AfterEach
  void tearDown() throws IOException {
    client.close();
    if (responder != null) {
      responder.close();
    }
  }

  private void startResponder(ProbeResponder.Settings settings) throws IOException {
    responder = ProbeResponder.start(settings, now::get, registry);
  }

  private static ProbeResponder.Settings settings() {
    return ProbeResponder.Settings.of(LOOPBACK_ANY_PORT, LOOPBACK_ANY_PORT)
        .withAllowedAgents(Set.of("aws-sg-probe"))
        .withRate(1_000_000, 1_000_000);
  }

  static Stream<Arguments> malformed() {
    byte[] valid = ProbePacket.request(7, 123, "aws-sg-probe").toBytes();
    return Stream.of(
        Arguments.of("empty", new byte[0], DropReason.TRUNCATED),
        Arguments.of("header cut short", Arrays.copyOf(valid, ProbePacket.HEADER_LENGTH - 1), DropReason.TRUNCATED),
        Arguments.of("agent id cut short", Arrays.copyOf(valid, valid.length - 3), DropReason.BAD_LENGTH),
        Arguments.of("one byte over the limit", new byte[ProbePacket.MAX_LENGTH + 1], DropReason.OVERSIZED),
        Arguments.of("largest udp payload", new byte[65_507], DropReason.OVERSIZED),
        Arguments.of("wrong magic", with(valid, b -> b.put(0, (byte) 'X')), DropReason.BAD_MAGIC),
        Arguments.of("next version", with(valid, b -> b.put(4, (byte) 2)), DropReason.BAD_VERSION),
        Arguments.of("a reply sent to the reflector", with(valid, b -> b.put(5, (byte) 2)), DropReason.BAD_KIND),
        Arguments.of("unknown kind", with(valid, b -> b.put(5, (byte) 0x7f)), DropReason.BAD_KIND),
        Arguments.of("id length larger than sent", with(valid, b -> b.put(6, (byte) 40)), DropReason.BAD_LENGTH),
        Arguments.of("reserved byte set", with(valid, b -> b.put(7, (byte) 1)), DropReason.BAD_LENGTH),
        Arguments.of("padded with a trailing byte", Arrays.copyOf(valid, valid.length + 1), DropReason.BAD_LENGTH),
        Arguments.of("empty agent id", Arrays.copyOf(with(valid, b -> b.put(6, (byte) 0)), ProbePacket.HEADER_LENGTH),
            DropReason.BAD_AGENT_ID),
        Arguments.of("agent id with a NUL", with(valid, b -> b.put(ProbePacket.HEADER_LENGTH, (byte) 0)),
            DropReason.BAD_AGENT_ID),
        Arguments.of("agent id with a newline", with(valid, b -> b.put(ProbePacket.HEADER_LENGTH + 2, (byte) '\n')),
            DropReason.BAD_AGENT_ID),
        Arguments.of("spoofed agent id", ProbePacket.request(7, 123, "evil-probe").toBytes(), DropReason.UNKNOWN_AGENT));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void receive_malformedDatagram_dropsCountsAndKeepsAnswering(String name, byte[] datagram, DropReason reason)
      throws IOException {
    startResponder(settings());

    send(datagram);

    await().atMost(AWAIT).until(() -> dropped("udp", reason) == 1);
    assertThat(totalUdp()).isEqualTo(1);
    assertAnswersValidProbe();
  }

  @Test
  void receive_randomAndMutatedDatagrams_countsEveryOneAndNeverStops() throws IOException {
    startResponder(settings());
    Random random = new Random(20261126L);
    byte[] valid = ProbePacket.request(1, 2, "aws-sg-probe").toBytes();
    int sent = 0;
    int validSent = 0;
    for (int batch = 0; batch < 40; batch++) {
      for (int i = 0; i < 50; i++) {
        byte[] datagram = switch (random.nextInt(4)) {
          case 0 -> randomBytes(random, random.nextInt(200));
          case 1 -> Arrays.copyOf(valid, random.nextInt(valid.length + 20));
          case 2 -> with(valid, b -> b.put(random.nextInt(valid.length), (byte) random.nextInt(256)));
          default -> with(valid, b -> b.putLong(8 + 8 * random.nextInt(4), random.nextLong()));
        };
        if (ProbePacket.decode(ByteBuffer.wrap(datagram), ProbePacket.Kind.REQUEST) instanceof ProbePacket.Valid v
            && v.packet().agentId().equals("aws-sg-probe")) {
          validSent++;
        }
        send(datagram);
        sent++;
      }
      // Pace the batches so that the loopback socket buffer never overflows: every datagram must be counted.
      int expected = sent;
      await().atMost(AWAIT).until(() -> totalUdp() == expected);
    }

    assertThat(counter("udp", "reflected")).isEqualTo(validSent);
    assertThat(totalUdp() - counter("udp", "reflected")).isGreaterThan(sent / 2);
    assertAnswersValidProbe();
  }

  @Test
  void receive_sourceOverItsRate_dropsExcessUntilTokensRefill() throws IOException {
    startResponder(settings().withRate(1, 3));

    for (int i = 0; i < 5; i++) {
      send(ProbePacket.request(i, 0, "aws-sg-probe").toBytes());
    }
    await().atMost(AWAIT).until(() -> totalUdp() == 5);
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    send(ProbePacket.request(5, 0, "aws-sg-probe").toBytes());

    await().atMost(AWAIT).until(() -> totalUdp() == 6);
    assertThat(counter("udp", "reflected")).isEqualTo(4);
    assertThat(dropped("udp", DropReason.RATE_LIMITED)).isEqualTo(2);
  }

  @Test
  void receive_validRequest_echoesSequenceSenderTimestampAndReflectorTimes() throws IOException {
    startResponder(settings());

    send(ProbePacket.request(99, 123_456, "aws-sg-probe").toBytes());
    ProbePacket reply = receiveReply();

    assertThat(reply.sequence()).isEqualTo(99);
    assertThat(reply.senderTimestamp()).isEqualTo(123_456);
    assertThat(reply.reflectorReceive()).isEqualTo(now.get());
    assertThat(reply.reflectorSend()).isEqualTo(now.get());
    assertThat(responder.udpAddress().getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
  }

  @Test
  void tcpProbe_validRequest_reflectsOnTheConnection() throws IOException {
    startResponder(settings());
    byte[] request = ProbePacket.request(5, 77, "aws-sg-probe").toBytes();

    try (Socket socket = new Socket()) {
      socket.connect(responder.tcpAddress(), 5_000);
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(request);
      InputStream in = socket.getInputStream();
      byte[] reply = in.readNBytes(request.length);

      assertThat(ProbePacket.decode(ByteBuffer.wrap(reply), ProbePacket.Kind.REPLY))
          .isEqualTo(new ProbePacket.Valid(ProbePacket.request(5, 77, "aws-sg-probe").reflect(now.get(), now.get())));
    }
  }

  @Test
  void tcpProbe_spoofedAgent_closesWithoutReplyAndCounts() throws IOException {
    startResponder(settings());

    try (Socket socket = new Socket()) {
      socket.connect(responder.tcpAddress(), 5_000);
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(ProbePacket.request(5, 77, "evil").toBytes());

      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
    await().atMost(AWAIT).until(() -> dropped("tcp", DropReason.UNKNOWN_AGENT) == 1);
  }

  /**
   * A peer that sends its request a byte every 100 ms (4.5 s in all) would hold a connection slot for minutes with a
   * per-read timeout; the whole request must arrive within the read timeout (here 500 ms), or the connection is
   * closed without an answer.
   */
  @Test
  void tcpProbe_requestTrickledByteByByte_closedAtTheReadTimeout() throws Exception {
    startResponder(settings().withTcpReadTimeout(Duration.ofMillis(500)));
    byte[] request = ProbePacket.request(5, 77, "aws-sg-probe").toBytes();
    ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger written = new AtomicInteger();
    try (Socket socket = new Socket()) {
      socket.connect(responder.tcpAddress(), 5_000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      trickler.scheduleAtFixedRate(() -> {
        try {
          if (written.get() < request.length) {
            out.write(request[written.get()]);
            written.incrementAndGet();
          }
        } catch (IOException closedByResponder) {
          throw new UncheckedIOException(closedByResponder);
        }
      }, 0, 100, TimeUnit.MILLISECONDS);

      assertThat(readOrReset(socket.getInputStream())).as("no answer, the connection is closed").isEqualTo(-1);
      assertThat(written.get()).as("bytes of the request sent before the close").isLessThan(request.length);
    } finally {
      trickler.shutdownNow();
    }
    await().atMost(AWAIT).until(() -> dropped("tcp", DropReason.ERROR) == 1);
    assertThat(counter("tcp", "reflected")).isZero();
  }

  /** From a fresh socket, so that replies still queued for {@link #client} cannot be mistaken for this one. */
  @Test
  void tcpProbe_connectAndClose_countsConnectTimeProbeNotDrop() throws IOException {
    startResponder(settings());

    try (Socket socket = new Socket()) {
      socket.connect(responder.tcpAddress(), 5_000);
    }

    await().atMost(AWAIT).until(() -> counter("tcp", "connected") == 1);
    assertThat(registry.get("selat.probe.responder.packets").tag("protocol", "tcp").counters().stream()
        .mapToDouble(Counter::count).sum()).isEqualTo(1);
  }

  /** The next byte, or -1 when the peer closed the connection (a reset, if unread bytes were still queued there). */
  private static int readOrReset(InputStream in) throws IOException {
    try {
      return in.read();
    } catch (SocketException reset) {
      return -1;
    }
  }

  private void assertAnswersValidProbe() throws IOException {
    client.close();
    client = new DatagramSocket(LOOPBACK_ANY_PORT);
    client.setSoTimeout(5_000);
    send(ProbePacket.request(1_000, 1, "aws-sg-probe").toBytes());
    assertThat(receiveReply().sequence()).isEqualTo(1_000);
  }

  private void send(byte[] datagram) throws IOException {
    client.send(new DatagramPacket(datagram, datagram.length, responder.udpAddress()));
  }

  private ProbePacket receiveReply() throws IOException {
    DatagramPacket packet = new DatagramPacket(new byte[256], 256);
    client.receive(packet);
    ProbePacket.Decoded decoded =
        ProbePacket.decode(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()), ProbePacket.Kind.REPLY);
    assertThat(decoded).isInstanceOf(ProbePacket.Valid.class);
    return ((ProbePacket.Valid) decoded).packet();
  }

  private double dropped(String protocol, DropReason reason) {
    return counter(protocol, reason.tag());
  }

  private double counter(String protocol, String outcome) {
    return registry.get("selat.probe.responder.packets").tag("protocol", protocol).tag("outcome", outcome)
        .counter().count();
  }

  private double totalUdp() {
    return registry.get("selat.probe.responder.packets").tag("protocol", "udp").counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  private static byte[] with(byte[] bytes, UnaryOperator<ByteBuffer> edit) {
    byte[] copy = bytes.clone();
    edit.apply(ByteBuffer.wrap(copy));
    return copy;
  }

  private static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }
}
