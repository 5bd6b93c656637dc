package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.testing.Await;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heartbeats-first rule (docs/concurrency.md): with every thread the rest of the daemon
 * works on held up — each task thread, the shared scheduler, the shared I/O thread that serves
 * the listeners and outbound VMAPI/NAPI traffic — a CN's heartbeats still leave on time.
 */
class HeartbeatPriorityTest {
  private static final long INTERVAL_MS = 300;

  @TempDir Path tmp;
  CnAgentHarness cn;
  final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void tearDown() {
    release.countDown();
    if (cn != null) {
      cn.close();
    }
  }

  List<RecordingCnapi.Received> heartbeats() {
    return cn.cnapi.received(r -> r.path().equals("/servers/" + cn.uuid() + "/events/heartbeat"));
  }

  private void holdUntilReleased() {
    try {
      release.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void heartbeats_everyOtherThreadHeldUp_keepTheirInterval() throws Exception {
    cn = new CnAgentHarness(tmp, new RecordingCnapi(),
        CnAgentHarness.fastOptions(tmp, Duration.ofMillis(INTERVAL_MS), Duration.ofSeconds(60)));
    assertThat(Await.until(Duration.ofSeconds(5), () -> heartbeats().size() >= 2)).isTrue();

    // Saturate the task pool (4 threads in the harness) and queue more behind it.
    for (int i = 0; i < 16; i++) {
      cn.threads.taskPool().execute(this::holdUntilReleased);
    }
    // Hold the shared scheduler.
    CountDownLatch schedulerHeld = new CountDownLatch(1);
    cn.threads.scheduler().execute(() -> {
      schedulerHeld.countDown();
      holdUntilReleased();
    });
    // Hold the shared I/O thread: a completion that runs on the I/O thread that read it.
    CountDownLatch ioHeld = new CountDownLatch(1);
    OutboundHttp shared = cn.threads.httpClient();
    shared.send(new OutboundHttp.Request("GET", URI.create(cn.cnapi.url()), "/ping", Map.of(), null,
        Duration.ofSeconds(5)), true).thenRun(() -> {
          ioHeld.countDown();
          holdUntilReleased();
        });
    assertThat(schedulerHeld.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(ioHeld.await(5, TimeUnit.SECONDS)).isTrue();

    cn.cnapi.clear();
    // A held scheduler or I/O thread would stop them altogether: this would time out.
    Await.require(Duration.ofSeconds(10), () -> heartbeats().size() >= 6, "heartbeats while the threads are held");
    List<RecordingCnapi.Received> during = heartbeats();
    release.countDown();

    // Start to start = interval + answer time; generous on two busy CI cores, but a held
    // scheduler or I/O thread would have stopped them altogether.
    assertThat(during).hasSizeGreaterThanOrEqualTo(5);
    List<Long> gaps = CnapiReportingTest.gaps(during);
    assertThat(gaps).allSatisfy(g -> assertThat(g).isBetween(INTERVAL_MS - 10, INTERVAL_MS + 250));
  }
}
