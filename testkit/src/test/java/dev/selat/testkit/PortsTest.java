package dev.selat.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {
  @Test
  void portsComeFromBelowTheEphemeralRange_eachOnce_andBind() throws Exception {
    int ephemeralLow = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim()
        .split("\\s+")[0]);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      int tcp = Ports.freeTcpPort();
      int both = Ports.freeTcpAndUdpPort();
      assertThat(tcp).isBetween(10_000, ephemeralLow - 1);
      assertThat(both).isBetween(10_000, ephemeralLow - 1);
      assertThat(seen.add(tcp)).as("port %d handed out twice", tcp).isTrue();
      assertThat(seen.add(both)).as("port %d handed out twice", both).isTrue();
    }
    int both = Ports.freeTcpAndUdpPort();
    try (ServerSocket tcp = new ServerSocket();
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), both))) {
      tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), both));
      assertThat(udp.getLocalPort()).isEqualTo(tcp.getLocalPort());
    }
  }

  @Test
  void aPortInUse_isSkipped() throws Exception {
    int port = Ports.freeTcpPort();
    try (ServerSocket held = new ServerSocket()) {
      held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port + 1));
      assertThat(Ports.freeTcpPort()).isNotEqualTo(port + 1);
    }
  }
}
