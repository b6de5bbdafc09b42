package dev.selat.emulator.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;
import dev.selat.emulator.state.HealthCheck;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** HTTP and TCP checks against real local listeners. */
class CheckProbeTest {
  private final CheckProbe probe = new CheckProbe();

  @Test
  void httpCheck_statusCodes_mapToPassingWarningCritical() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/ok", x -> {
      x.sendResponseHeaders(200, 2);
      x.getResponseBody().write("up".getBytes());
      x.close();
    });
    server.createContext("/busy", x -> {
      x.sendResponseHeaders(429, -1);
      x.close();
    });
    server.createContext("/down", x -> {
      x.sendResponseHeaders(503, -1);
      x.close();
    });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      CheckProbe.Result ok = probe.apply(JsonNodeFactory.instance.objectNode().put("HTTP", base + "/ok"));
      assertThat(ok.status()).isEqualTo(HealthCheck.PASSING);
      assertThat(ok.output()).contains("200").contains("up");
      assertThat(probe.apply(JsonNodeFactory.instance.objectNode().put("HTTP", base + "/busy")).status())
          .isEqualTo(HealthCheck.WARNING);
      assertThat(probe.apply(JsonNodeFactory.instance.objectNode().put("HTTP", base + "/down")).status())
          .isEqualTo(HealthCheck.CRITICAL);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void tcpCheck_openPort_passesAndClosedPort_isCritical() throws Exception {
    int closed;
    try (ServerSocket open = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertThat(probe.apply(JsonNodeFactory.instance.objectNode().put("TCP", "127.0.0.1:" + open.getLocalPort()))
          .status()).isEqualTo(HealthCheck.PASSING);
      closed = open.getLocalPort();
    }
    assertThat(probe.apply(JsonNodeFactory.instance.objectNode().put("TCP", "127.0.0.1:" + closed)
        .put("Timeout", "1s")).status()).isEqualTo(HealthCheck.CRITICAL);
  }
}
