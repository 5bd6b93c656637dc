package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.behaviour.Behaviour;
import com.joyent.mockcloud.behaviour.Behaviour.HeartbeatBehaviour;
import com.joyent.mockcloud.behaviour.Behaviour.HeartbeatMode;
import com.joyent.mockcloud.behaviour.Behaviour.ListenerMode;
import com.joyent.mockcloud.behaviour.Behaviour.TaskBehaviour;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.testing.ManualTimer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cn-agent under a behaviour (docs/behaviour.md): slow, failing and hung tasks, heartbeats
 * and status reports left out. On manual time: every latency is exact and nothing sleeps.
 */
class BehaviourTasksTest {
  static final Duration HOUR = Duration.ofHours(1);

  @TempDir Path tmp;
  final ManualTimer time = new ManualTimer();
  CnAgentHarness cn;

  @BeforeEach
  void setUp() throws Exception {
    // Heartbeats every 5 s; status reports and the sysinfo poll out of the way unless a test asks.
    cn = CnAgentHarness.onManualTime(tmp, new RecordingCnapi(), CnAgentOptions.defaults().toBuilder()
        .tmpDir(tmp.resolve("vartmp")).firstStatusDelay(HOUR).sysinfoPollInterval(HOUR).build(), time)
        .awaitRegistered();
  }

  @AfterEach
  void tearDown() {
    cn.close();
  }

  private static Behaviour tasks(String task, TaskBehaviour t) {
    return new Behaviour(Map.of(task, t), HeartbeatBehaviour.NORMAL, false, 1L);
  }

  private CompletableFuture<CnAgentHarness.Answer> callAsync(String task, Map<String, Object> params) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return cn.call(task, params);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
  }

  @Test
  void latency_theTaskIsActiveForThatLong_thenDoesItsWork() throws Exception {
    cn.behaviour.set(tasks("machine_create", new TaskBehaviour(3000, 3000, 0, null, false)));
    String v = UUID.randomUUID().toString();

    CompletableFuture<CnAgentHarness.Answer> create = callAsync("machine_create", MachineCreateTaskTest.minimal(v));
    Await.require(Duration.ofSeconds(5), () -> time.dueIn().contains(Duration.ofSeconds(3)), "the task's latency");
    String during = cn.get("/history").body();
    assertThat(during).contains("\"status\":\"active\"").contains("\"name\":\"start\"");
    time.advance(Duration.ofMillis(2_999));
    assertThat(create).isNotDone();
    assertThat(Files.exists(cn.vmFile(v))).isFalse();

    time.advance(Duration.ofMillis(1));
    CnAgentHarness.Answer a = create.get(5, TimeUnit.SECONDS);
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.vm()).containsEntry("uuid", v).containsEntry("state", "running");
    assertThat(Files.exists(cn.vmFile(v))).isTrue();
  }

  @Test
  void failRate_theTaskFailsInItsOwnWords_andDoesNothing() throws Exception {
    String v = UUID.randomUUID().toString();
    assertThat(cn.call("machine_create", MachineCreateTaskTest.minimal(v)).status()).isEqualTo(200);
    cn.vms.stop(v);
    cn.behaviour.set(tasks("machine_boot", new TaskBehaviour(0, 0, 1, null, false)));

    CnAgentHarness.Answer a = cn.call("machine_boot", Map.of("uuid", v));

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.body()).isEqualTo("{\"error\":\"vmadm.start error: failure injected by behaviour.json\"}");
    assertThat(cn.vms.load(v)).containsEntry("state", "stopped");
    assertThat(cn.history().get(0).get("status")).isEqualTo("finished");
  }

  @Test
  void failRate_withAnErrorAndAReqId_answersTheRealShape() throws Exception {
    cn.behaviour.set(tasks("*", new TaskBehaviour(0, 0, 1, "zpool is full", false)));

    CnAgentHarness.Answer a = cn.call("machine_create", Map.of("uuid", UUID.randomUUID().toString(),
        "req_id", "r-1"));
    CnAgentHarness.Answer nop = cn.call("nop", Map.of());

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.body()).isEqualTo("{\"error\":\"zpool is full\",\"req_id\":\"r-1\"}");
    assertThat(nop.body()).isEqualTo("{\"error\":\"zpool is full\"}");
  }

  /** 200 tasks at 0.25 with a seed: within binomial bounds (±4.5 standard deviations), and the same again. */
  @Test
  void failRate_over200Tasks_landsWithinBounds_andRepeatsWithTheSeed() throws Exception {
    Behaviour quarter = tasks("nop", new TaskBehaviour(0, 0, 0.25, null, false));
    cn.behaviour.set(quarter);
    StringBuilder first = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      first.append(cn.call("nop", Map.of()).status() == 500 ? 'F' : '.');
    }
    cn.behaviour.set(quarter);
    StringBuilder again = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      again.append(cn.call("nop", Map.of()).status() == 500 ? 'F' : '.');
    }

    long failed = first.chars().filter(c -> c == 'F').count();
    assertThat(failed).isBetween(50L - 28, 50L + 28);
    assertThat(again.toString()).isEqualTo(first.toString());
  }

  @Test
  void hang_neverAnswers_untilTheBehaviourChanges() throws Exception {
    cn.behaviour.set(tasks("nop", new TaskBehaviour(0, 0, 0, null, true)));
    CompletableFuture<CnAgentHarness.Answer> hung = callAsync("nop", Map.of());
    Await.require(Duration.ofSeconds(5), () -> cn.behaviour.held() == 1, "the task to hang");
    time.advance(Duration.ofMinutes(30));
    assertThat(hung).isNotDone();
    assertThat(cn.agent.activeTasks()).isEqualTo(1);

    cn.behaviour.set(Behaviour.IDEAL);

    assertThat(hung.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(cn.agent.activeTasks()).isZero();
  }

  @Test
  void hang_doesNotKeepADrainWaiting() throws Exception {
    cn.behaviour.set(tasks("nop", new TaskBehaviour(0, 0, 0, null, true)));
    callAsync("nop", Map.of());
    Await.require(Duration.ofSeconds(5), () -> cn.behaviour.held() == 1, "the task to hang");

    assertThat(cn.agent.drain()).isDone();
  }

  @Test
  void heartbeatStop_sendsNone_andNormalAgain_resumesAnIntervalLater() throws Exception {
    Await.require(Duration.ofSeconds(5), () -> heartbeats() == 1, "the first heartbeat");
    cn.behaviour.set(new Behaviour(Map.of(), new HeartbeatBehaviour(HeartbeatMode.STOP, 0, 0), false, null));
    Await.require(Duration.ofSeconds(5), () -> time.dueIn().contains(Duration.ofSeconds(5)), "the next heartbeat's timer");
    for (int i = 0; i < 4; i++) {
      time.advance(Duration.ofSeconds(5));
    }
    assertThat(heartbeats()).isEqualTo(1);

    cn.behaviour.set(Behaviour.IDEAL);
    time.advance(Duration.ofSeconds(5));
    Await.require(Duration.ofSeconds(5), () -> heartbeats() == 2, "a heartbeat again");
  }

  @Test
  void heartbeatDelay_sendsEachThatLate() throws Exception {
    Await.require(Duration.ofSeconds(5), () -> heartbeats() == 1, "the first heartbeat");
    cn.behaviour.set(new Behaviour(Map.of(), new HeartbeatBehaviour(HeartbeatMode.NORMAL, 0, 1500), false, null));
    Await.require(Duration.ofSeconds(5), () -> time.dueIn().contains(Duration.ofSeconds(5)), "the next heartbeat's timer");
    time.advance(Duration.ofSeconds(5));
    time.advance(Duration.ofMillis(1_499));
    assertThat(heartbeats()).isEqualTo(1);
    time.advance(Duration.ofMillis(1));
    Await.require(Duration.ofSeconds(5), () -> heartbeats() == 2, "the late heartbeat");
  }

  @Test
  void statusReportsStop_sendsNone() throws Exception {
    cn.close();
    ManualTimer t = new ManualTimer();
    cn = CnAgentHarness.onManualTime(tmp.resolve("second"), new RecordingCnapi(), CnAgentOptions.defaults()
        .toBuilder().tmpDir(tmp.resolve("vartmp")).statusInterval(Duration.ofSeconds(60)).build(), t)
        .awaitRegistered();
    cn.behaviour.set(new Behaviour(Map.of(), HeartbeatBehaviour.NORMAL, true, null));
    t.advance(Duration.ofMinutes(3));
    assertThat(cn.cnapi.received(r -> r.path().endsWith("/events/status"))).isEmpty();

    cn.behaviour.set(Behaviour.IDEAL);
    t.advance(Duration.ofSeconds(60));
    // The next report is due within one interval; a loaded machine may run the timer's work late, so
    // time moves on a little more while we wait (at most two intervals in all).
    long[] moved = {0};
    Await.require(Duration.ofSeconds(10), () -> {
      if (!cn.cnapi.received(r -> r.path().endsWith("/events/status")).isEmpty()) {
        return true;
      }
      if (moved[0] < 60) {
        moved[0]++;
        t.advance(Duration.ofSeconds(1));
      }
      return false;
    }, "a status report again");
  }

  private int heartbeats() {
    return cn.cnapi.received(r -> r.path().endsWith("/events/heartbeat")).size();
  }

  private boolean refusesConnections() {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", cn.agent.port())) {
      return false;
    } catch (java.io.IOException e) {
      return true;
    }
  }

  /** refuse: connection refused while heartbeats go on; normal again listens on the same port. */
  @Test
  void listenerRefuse_closesThePort_heartbeatsGoOn_andNormalReopensIt() throws Exception {
    int port = cn.agent.port();
    cn.behaviour.set(Behaviour.IDEAL.withListener(ListenerMode.REFUSE));
    cn.agent.applyListenerMode();
    assertThat(refusesConnections()).isTrue();
    assertThat(cn.agent.isListening()).isFalse();
    int before = heartbeats();
    time.advance(Duration.ofSeconds(5));
    Await.require(Duration.ofSeconds(5), () -> heartbeats() > before, "a heartbeat while refusing");

    cn.behaviour.set(Behaviour.IDEAL);
    cn.agent.applyListenerMode();
    assertThat(cn.agent.port()).isEqualTo(port);
    assertThat(cn.call("nop", Map.of()).status()).isEqualTo(200);
  }

  /** hang: a request is accepted and not answered; once the behaviour changes it is handled. */
  @Test
  void listenerHang_holdsRequestsUnanswered_untilTheBehaviourChanges() throws Exception {
    cn.behaviour.set(Behaviour.IDEAL.withListener(ListenerMode.HANG));
    CompletableFuture<CnAgentHarness.Answer> held = callAsync("nop", Map.of());
    CompletableFuture<java.net.http.HttpResponse<String>> history = CompletableFuture.supplyAsync(() -> {
      try {
        return cn.get("/history");
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    Await.require(Duration.ofSeconds(5), () -> cn.behaviour.held() == 2, "both requests held");
    assertThat(held).isNotDone();
    assertThat(history).isNotDone();

    cn.behaviour.set(Behaviour.IDEAL);

    assertThat(held.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(history.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  /** unavailable: every request is a 503 in a paused cn-agent's words; nothing runs. */
  @Test
  void listenerUnavailable_answers503AsAPausedAgent() throws Exception {
    cn.behaviour.set(Behaviour.IDEAL.withListener(ListenerMode.UNAVAILABLE));
    String v = UUID.randomUUID().toString();

    CnAgentHarness.Answer a = cn.call("machine_create", MachineCreateTaskTest.minimal(v));

    assertThat(a.status()).isEqualTo(503);
    assertThat(a.json()).containsEntry("code", "ServiceUnavailableError")
        .containsEntry("message", "CN Agent is not accepting tasks for maintenance");
    assertThat(cn.get("/history").statusCode()).isEqualTo(503);
    assertThat(Files.exists(cn.vmFile(v))).isFalse();
    cn.behaviour.set(Behaviour.IDEAL);
    assertThat(cn.get("/history").body()).doesNotContain("machine_create");
  }
}
