package com.joyent.mockcloud.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpListenersTest {
  @Test
  void openingATakenPort_throwsPortTaken_andAFreeOneStillOpens() throws Exception {
    try (HttpListeners listeners = new HttpListeners("test-listeners", 1);
        ServerSocket holder = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int taken = holder.getLocalPort();
      assertThatThrownBy(() -> listeners.open("127.0.0.1", taken, exchange -> exchange.endExchange()))
          .isInstanceOf(HttpListeners.PortTakenException.class)
          .hasMessageContaining("127.0.0.1:" + taken + " is taken");
      try (HttpListeners.Listener l = listeners.open("127.0.0.1", 0, exchange -> exchange.endExchange())) {
        assertThat(l.port()).isPositive().isNotEqualTo(taken);
      }
    }
  }

  /** A powered-off CN drops its clients' keep-alive connections too, not only the listening socket. */
  @Test
  void closeAndDrop_closesTheConnectionsItAccepted_andRefusesNewOnes() throws Exception {
    try (HttpListeners listeners = new HttpListeners("test-listeners", 1)) {
      HttpListeners.Listener l = listeners.open("127.0.0.1", 0,
          new RestRouter("test").get("/ping", req -> RestResponse.ok(Map.of("ok", true))));
      try (Socket kept = new Socket("127.0.0.1", l.port())) {
        // Well under the 5 s keep-alive timeout: only the close can end the connection this soon.
        kept.setSoTimeout(2_000);
        kept.getOutputStream().write(RawHttp.head("GET", "/ping").getBytes(StandardCharsets.US_ASCII));
        InputStream in = kept.getInputStream();
        byte[] answer = new byte[4096];
        int n = in.read(answer);
        assertThat(new String(answer, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");

        l.closeAndDrop();

        assertThat(readToEnd(in)).as("the kept-alive connection ends at once").isTrue();
        assertThatThrownBy(() -> new Socket("127.0.0.1", l.port()).close()).isInstanceOf(ConnectException.class);
      }
    }
  }

  /** True at end of stream or reset; false if the connection stays open past the socket's timeout. */
  private static boolean readToEnd(InputStream in) throws IOException {
    try {
      while (in.read() != -1) {
        // the rest of the first answer, if any
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
