package dev.selat.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free loopback ports, for peers that must be told their port before they start. */
public final class Ports {
  private Ports() {}

  public static int freeTcpPort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A port free for both TCP and UDP, for peers that serve both on one number (the probe port). */
  public static int freeTcpAndUdpPort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket tcp = new ServerSocket()) {
        tcp.setReuseAddress(true);
        tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp.getLocalPort()))) {
          return udp.getLocalPort();
        } catch (IOException udpTaken) {
          // that number is busy for UDP: try another
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no port free for both TCP and UDP after 100 attempts");
  }

  public static int freeUdpPort() {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
