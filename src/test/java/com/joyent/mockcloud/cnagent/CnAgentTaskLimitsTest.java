package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.testing.Await;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounds on cn-agent tasks in flight, per CN and per process (docs/cn-agent.md, Limits):
 * 503 beyond them, places given back however a task ends. Tasks are held in flight by
 * {@code machine_destroy} waiting for a provision lock file, released by removing the file.
 */
class CnAgentTaskLimitsTest {
  @TempDir Path tmp;
  private final List<CnAgentHarness> cns = new ArrayList<>();

  @AfterEach
  void tearDown() {
    for (int i = cns.size() - 1; i >= 0; i--) {
      cns.get(i).close();
    }
  }

  private CnAgentHarness start(TaskAdmission admission, CnAgentOptions options) throws Exception {
    RecordingCnapi cnapi = cns.isEmpty() ? new RecordingCnapi() : cns.get(0).cnapi;
    CnAgentHarness cn = new CnAgentHarness(tmp, cnapi, options, Map.of(), cns.isEmpty(), admission);
    cns.add(cn);
    return cn.awaitRegistered();
  }

  private CnAgentHarness start(TaskAdmission admission) throws Exception {
    return start(admission, CnAgentHarness.fastOptions(tmp, Duration.ofSeconds(5), Duration.ofSeconds(60)));
  }

  private static List<Path> taskLogs(CnAgentHarness cn) throws Exception {
    Path dir = cn.dir.logsDir().resolve("cn-agent");
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  /** Sends {@code machine_destroy} of {@code vm}, whose provision lock is held: it waits. */
  private static CompletableFuture<HttpResponse<String>> heldDestroy(CnAgentHarness cn, String vm) throws Exception {
    Files.createDirectories(cn.options.tmpDir());
    Files.createFile(cn.options.tmpDir().resolve("machine-provision-" + vm));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("task", "machine_destroy");
    body.put("params", Map.of("uuid", vm));
    return CnAgentHarness.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(cn.url() + "/tasks"))
        .header("content-type", "application/json").header("x-server-uuid", cn.uuid().toString())
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(Json.compact(body))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void unlock(CnAgentHarness cn, String vm) throws Exception {
    Files.delete(cn.options.tmpDir().resolve("machine-provision-" + vm));
  }

  private static void awaitActive(CnAgentHarness cn, int n) throws InterruptedException {
    assertThat(Await.until(Duration.ofSeconds(10), () -> cn.agent.activeTasks() == n))
        .as("%d tasks in flight on %s", n, cn.uuid()).isTrue();
  }

  @Test
  void tasksOverThePerCnBound_are503UntilOneEnds_andLeaveNoTrace() throws Exception {
    TaskAdmission admission = new TaskAdmission(2, 100);
    CnAgentHarness cn = start(admission);
    String a = UUID.randomUUID().toString();
    String b = UUID.randomUUID().toString();
    CompletableFuture<HttpResponse<String>> first = heldDestroy(cn, a);
    CompletableFuture<HttpResponse<String>> second = heldDestroy(cn, b);
    awaitActive(cn, 2);

    HttpResponse<String> busy = cn.task("nop", Map.of());

    assertThat(busy.statusCode()).isEqualTo(503);
    assertThat(busy.body()).isEqualTo(
        "{\"code\":\"ServiceUnavailableError\",\"message\":\"CN Agent has too many tasks in flight (2); try again later\"}");
    assertThat(busy.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(cn.history()).extracting(e -> e.get("task")).containsExactly("machine_destroy", "machine_destroy");
    assertThat(taskLogs(cn)).isEmpty(); // the two held ones write theirs when they end

    unlock(cn, a);
    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(cn.task("nop", Map.of()).statusCode()).isEqualTo(200); // the place freed by the first
    unlock(cn, b);
    assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(cn.agent.activeTasks()).isZero();
    assertThat(admission.inFlight()).isZero();
    assertThat(cn.history()).extracting(e -> e.get("task"))
        .containsExactly("machine_destroy", "machine_destroy", "nop");
    assertThat(taskLogs(cn)).hasSize(3);
  }

  @Test
  void tasksOverTheProcessBound_are503OnEveryCn_untilOneEnds() throws Exception {
    TaskAdmission shared = new TaskAdmission(10, 2);
    CnAgentHarness one = start(shared);
    CnAgentHarness two = start(shared);
    String a = UUID.randomUUID().toString();
    String b = UUID.randomUUID().toString();
    CompletableFuture<HttpResponse<String>> onOne = heldDestroy(one, a);
    CompletableFuture<HttpResponse<String>> onTwo = heldDestroy(two, b);
    awaitActive(one, 1);
    awaitActive(two, 1);

    for (CnAgentHarness cn : List.of(one, two)) {
      HttpResponse<String> busy = cn.task("nop", Map.of());
      assertThat(busy.statusCode()).isEqualTo(503);
      assertThat(busy.body()).isEqualTo("{\"code\":\"ServiceUnavailableError\",\"message\":"
          + "\"CN Agent has too many tasks in flight (2 in this process); try again later\"}");
      assertThat(cn.history()).hasSize(1);
    }
    assertThat(one.agent.activeTasks()).isEqualTo(1); // a refusal by the process bound gives the CN's place back

    unlock(two, b);
    assertThat(onTwo.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(one.task("nop", Map.of()).statusCode()).isEqualTo(200);
    unlock(one, a);
    assertThat(onOne.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(shared.inFlight()).isZero();
  }

  @Test
  void oneSlot_isGivenBackHoweverTheTaskEnds() throws Exception {
    TaskAdmission admission = new TaskAdmission(1, 1);
    CnAgentHarness cn = start(admission,
        CnAgentHarness.fastOptions(tmp, Duration.ofSeconds(5), Duration.ofSeconds(60)).withTaskTimeout(Duration.ofMillis(300)));

    // With one place, any place not given back turns the next call into a 503.
    assertThat(cn.call("nop", Map.of()).status()).isEqualTo(200);
    assertThat(cn.call("nop", Map.of("error", "boom")).body()).isEqualTo("{\"error\":\"boom\"}");
    assertThat(cn.call("machine_kill", Map.of()).body()).startsWith("{\"error\":\"Child task process machine_kill");
    assertThat(cn.call("no_such_task", Map.of()).status()).isEqualTo(404);
    assertThat(cn.post("/tasks", "{\"task\":\"nop\"}").statusCode()).isEqualTo(409);
    String vm = UUID.randomUUID().toString();
    HttpResponse<String> timedOut = heldDestroy(cn, vm).get(10, TimeUnit.SECONDS);
    assertThat(timedOut.body()).startsWith("{\"error\":\"child task process timed out after");
    assertThat(cn.call("nop", Map.of()).status()).isEqualTo(200);

    assertThat(cn.agent.activeTasks()).isZero();
    assertThat(admission.inFlight()).isZero();
    unlock(cn, vm);
  }

  @Test
  void pausedAgent_answersPausedBeforeBusy() throws Exception {
    TaskAdmission admission = new TaskAdmission(1, 10);
    CnAgentHarness cn = start(admission);
    String vm = UUID.randomUUID().toString();
    CompletableFuture<HttpResponse<String>> held = heldDestroy(cn, vm);
    awaitActive(cn, 1);
    cn.post("/pause", "{}");

    HttpResponse<String> r = cn.task("nop", Map.of());

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("CN Agent is not accepting tasks for maintenance");
    cn.post("/resume", "{}");
    unlock(cn, vm);
    assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }
}
