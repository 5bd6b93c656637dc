package com.joyent.mockcloud.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
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
}
