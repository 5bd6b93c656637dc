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

/** The cmon-agent listener answers a body that is not JSON as restify does, in JSON.parse's words. */
class CmonInvalidJsonTest {
  private DaemonThreads threads;
  private VmStore store;
  private HttpListeners listeners;
  private CmonServer cmon;

  @BeforeEach
  void setUp() {
    threads = new DaemonThreads(1, 2);
    store = VmStore.builder().executor(threads.taskPool()).scheduler(threads.scheduler())
        .watchMode(VmStore.WatchMode.OFF).build();
    listeners = new HttpListeners("test-cmon-json", 1);
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
  void refresh_withBodyThatIsNotJson_is400InvalidContent() throws Exception {
    try (RawHttp c = new RawHttp(cmon.port())) {
      RawHttp.Answer a = c.send(RawHttp.head("POST", "/v1/refresh", "Content-Type: application/json",
          "Content-Length: 9") + "{\"a\":1]}x").read();

      assertThat(a.status()).isEqualTo(400);
      assertThat(a.body()).isEqualTo("{\"code\":\"InvalidContent\","
          + "\"message\":\"Invalid JSON: Expected ',' or '}' after property value in JSON at position 6\"}");
    }
  }
}
