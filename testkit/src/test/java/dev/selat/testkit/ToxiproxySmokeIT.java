package dev.selat.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.rekawek.toxiproxy.Proxy;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real Toxiproxy runs here: 20 ms of latency on a TCP link shows up in measured round trips; a cut link refuses. */
class ToxiproxySmokeIT {
  private static final int ROUND_TRIPS = 30;

  private ServerSocket echoServer;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  @BeforeEach
  void startEchoServer() throws IOException {
    echoServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    executor.submit(() -> {
      while (!echoServer.isClosed()) {
        Socket socket = echoServer.accept();
        executor.submit(() -> echo(socket));
      }
      return null;
    });
  }

  @AfterEach
  void stop() throws IOException {
    echoServer.close();
    executor.shutdownNow();
  }

  @Test
  void latencyToxic_addsTwentyMillisecondsToRoundTrip() throws Exception {
    try (ToxiproxyServer toxiproxy = ToxiproxyServer.start()) {
      Proxy link = toxiproxy.proxy("link", "127.0.0.1:" + echoServer.getLocalPort());
      int port = ToxiproxyServer.listenPort(link);

      double baselineMs = medianRoundTripMs(port);
      toxiproxy.addLatency(link, 20, 0);
      double delayedMs = medianRoundTripMs(port);

      double addedMs = delayedMs - baselineMs;
      System.out.printf("toxiproxy version: %s; median RTT %.2f ms -> %.2f ms (added %.2f ms)%n",
          toxiproxy.version(), baselineMs, delayedMs, addedMs);
      assertThat(addedMs).isBetween(19.0, 25.0);
    }
  }

  @Test
  void cutLink_refusesConnections_restoreBringsItBack() throws Exception {
    try (ToxiproxyServer toxiproxy = ToxiproxyServer.start()) {
      Proxy link = toxiproxy.proxy("cut", "127.0.0.1:" + echoServer.getLocalPort());
      int port = ToxiproxyServer.listenPort(link);

      toxiproxy.cut(link);
      assertThatThrownBy(() -> roundTripNanos(port)).isInstanceOf(IOException.class);

      toxiproxy.restore(link);
      assertThat(roundTripNanos(port)).isPositive();
    }
  }

  private static double medianRoundTripMs(int port) throws IOException {
    long[] samples = new long[ROUND_TRIPS];
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setTcpNoDelay(true);
      for (int i = 0; i < ROUND_TRIPS; i++) {
        samples[i] = roundTrip(socket);
      }
    }
    Arrays.sort(samples);
    return samples[ROUND_TRIPS / 2] / 1e6;
  }

  private static long roundTripNanos(int port) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(2_000);
      return roundTrip(socket);
    }
  }

  private static long roundTrip(Socket socket) throws IOException {
    OutputStream out = socket.getOutputStream();
    DataInputStream in = new DataInputStream(socket.getInputStream());
    long start = System.nanoTime();
    out.write(42);
    out.flush();
    in.readByte();
    return System.nanoTime() - start;
  }

  private static Void echo(Socket socket) throws IOException {
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      int b;
      while ((b = in.read()) >= 0) {
        out.write(b);
        out.flush();
      }
    }
    return null;
  }
}
