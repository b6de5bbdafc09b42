package dev.selat.emulator.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.selat.emulator.ConsulEmulator;
import dev.selat.emulator.EmulatorConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** limits.http_max_conns_per_client: the connection past the limit is answered 429 and closed. */
class ConnectionLimitTest {
  private static String request(Socket s) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write("GET /v1/status/leader HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[12];
    int n = in.readNBytes(buf, 0, buf.length);
    return new String(buf, 0, n, StandardCharsets.US_ASCII);
  }

  @Test
  void connections_pastTheLimit_get429() throws Exception {
    try (ConsulEmulator e = ConsulEmulator.start(EmulatorConfig.builder().httpMaxConnsPerClient(2).build())) {
      List<Socket> open = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          Socket s = new Socket(e.httpAddress().getHost(), e.httpAddress().getPort());
          open.add(s);
          assertThat(request(s)).isEqualTo("HTTP/1.1 200");
        }
        Socket third = new Socket(e.httpAddress().getHost(), e.httpAddress().getPort());
        open.add(third);
        assertThat(request(third)).isEqualTo("HTTP/1.1 429");
      } finally {
        for (Socket s : open) {
          s.close();
        }
      }
    }
  }
}
