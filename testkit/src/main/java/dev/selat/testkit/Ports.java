package dev.selat.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free loopback ports, for peers that must be told their port before they start.
 *
 * <p>They come from below the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}, 32768-60999 by
 * default), never from it: a port taken from that range and released until its peer binds it can meanwhile be handed
 * to anything that binds port 0 (a Toxiproxy proxy, a gRPC server, an outgoing connection), and the peer then fails
 * with "address already in use". Below the range only these methods hand ports out, each number once per JVM, from a
 * random start, so JVMs side by side rarely meet; each number is checked free before it is returned.
 */
public final class Ports {
  private static final int LOWEST = 10_000;
  private static final int HIGHEST = ephemeralLow() - 1;
  private static final AtomicInteger NEXT =
      new AtomicInteger(ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST + 1));

  private Ports() {}

  public static int freeTcpPort() {
    return next(true, false);
  }

  /** A port free for both TCP and UDP, for peers that serve both on one number (the probe port). */
  public static int freeTcpAndUdpPort() {
    return next(true, true);
  }

  public static int freeUdpPort() {
    return next(false, true);
  }

  private static int next(boolean tcp, boolean udp) {
    for (int attempt = 0; attempt < HIGHEST - LOWEST; attempt++) {
      int port = LOWEST + Math.floorMod(NEXT.getAndIncrement() - LOWEST, HIGHEST - LOWEST + 1);
      if ((!tcp || tcpFree(port)) && (!udp || udpFree(port))) {
        return port;
      }
    }
    throw new IllegalStateException("no free port between " + LOWEST + " and " + HIGHEST);
  }

  private static boolean tcpFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  private static boolean udpFree(int port) {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  /** The low end of the kernel's ephemeral port range; 32768 (Linux's default) when it cannot be read. */
  private static int ephemeralLow() {
    try {
      // readAllLines, not readString: procfs reports a size of 0, and readString then reads a single byte
      String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
      int low = Integer.parseInt(range.split("\\s+")[0]);
      return low > LOWEST + 1000 ? low : 32768;
    } catch (IOException | RuntimeException e) {
      return 32768;
    }
  }
}
