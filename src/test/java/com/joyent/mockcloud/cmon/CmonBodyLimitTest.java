package com.joyent.mockcloud.cmon;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.fleet.DaemonThreads;
import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.http.RawHttp;
import com.joyent.mockcloud.vm.VmStore;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cmon listener's request body limit ({@link CmonServer#MAX_BODY_BYTES}). */
class CmonBodyLimitTest {
  private DaemonThreads threads;
  private VmStore store;
  private HttpListeners listeners;
  private CmonServer cmon;

  @BeforeEach
  void setUp() {
    threads = new DaemonThreads(1, 2);
    store = VmStore.builder().executor(threads.taskPool()).scheduler(threads.scheduler())
        .watchMode(VmStore.WatchMode.OFF).build();
    listeners = new HttpListeners("test-cmon-limit", 1);
    cmon = new CmonServer(store, Clock.systemUTC()).start(listeners, "127.0.0.1", 0);
  }

  @AfterEach
  void tearDown() {
    cmon.close();
    listeners.close();
    store.close();
    threads.close();
  }

  @Test
  void refresh_withBodyOverLimit_is413AndClosesWithoutReadingIt() throws Exception {
    try (RawHttp c = new RawHttp(cmon.port())) {
      RawHttp.Answer a = c.send(RawHttp.head("POST", "/v1/refresh", "Content-Type: application/json",
          "Content-Length: " + (CmonServer.MAX_BODY_BYTES + 1))).read();

      assertThat(a.status()).isEqualTo(413);
      assertThat(a.body()).isEqualTo("{\"code\":\"PayloadTooLargeError\",\"message\":\"Request body size exceeds 65536\"}");
      assertThat(a.headers()).containsEntry("server", "cmon-agent").containsEntry("connection", "close");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void refresh_withChunkedBodyOverLimit_is413() throws Exception {
    String data = "x".repeat((int) CmonServer.MAX_BODY_BYTES + 1);
    try (RawHttp c = new RawHttp(cmon.port())) {
      c.send(RawHttp.head("POST", "/v1/refresh", "Transfer-Encoding: chunked")
          + Integer.toHexString(data.length()) + "\r\n" + data);
      RawHttp.Answer a = c.read();

      assertThat(a.status()).isEqualTo(413);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void refresh_withSmallBody_is200() throws Exception {
    try (RawHttp c = new RawHttp(cmon.port())) {
      RawHttp.Answer a = c.send(RawHttp.head("POST", "/v1/refresh", "Content-Type: application/json",
          "Content-Length: 2") + "{}").read();

      assertThat(a.status()).isEqualTo(200);
    }
  }
}
