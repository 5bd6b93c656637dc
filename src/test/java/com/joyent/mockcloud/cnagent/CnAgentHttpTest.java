package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.testing.ManualTimer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conformance cases 1–17 and 20–24 of spec cn-agent.md §7 (HTTP surface). */
class CnAgentHttpTest {
  @TempDir Path tmp;
  CnAgentHarness cn;

  @BeforeEach
  void setUp() throws Exception {
    cn = new CnAgentHarness(tmp).awaitRegistered();
  }

  @AfterEach
  void tearDown() {
    cn.close();
  }

  @Test
  void history_afterStartup_isEmptyJsonArray() throws Exception {
    HttpResponse<String> r = cn.get("/history");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.body()).isEqualTo("[]");
  }

  @Test
  void nop_answers200WithRestifyHeaders() throws Exception {
    HttpResponse<String> r = cn.task("nop", Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{}");
    assertThat(r.headers().firstValue("server")).hasValue("Compute Node Agent");
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    assertThat(r.headers().firstValue("x-response-time")).isPresent();
    assertThat(r.headers().firstValue("x-server-name")).isPresent();
    assertThat(r.headers().firstValue("date")).isPresent();
  }

  @Test
  void taskInQuery_winsOverBody() throws Exception {
    assertThat(cn.post("/tasks?task=nop", "{\"params\":{}}").body()).isEqualTo("{}");
    HttpResponse<String> r = cn.post("/tasks?task=nop", "{\"task\":\"bogus\",\"params\":{}}");
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void missingTaskOrParams_is409InvalidArgument() throws Exception {
    HttpResponse<String> noTask = cn.post("/tasks", "{\"params\":{}}");
    assertThat(noTask.statusCode()).isEqualTo(409);
    assertThat(noTask.body()).isEqualTo("{\"code\":\"InvalidArgument\",\"message\":\"Missing key 'task'\"}");
    HttpResponse<String> noParams = cn.post("/tasks", "{\"task\":\"nop\"}");
    assertThat(noParams.statusCode()).isEqualTo(409);
    assertThat(noParams.body()).isEqualTo("{\"code\":\"InvalidArgument\",\"message\":\"Missing key 'params'\"}");
  }

  @Test
  void unknownOrSmartosOnlyTask_is404AndLeavesNoHistory() throws Exception {
    HttpResponse<String> r = cn.task("this_is_not_a_task", Map.of());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"code\":\"ResourceNotFound\",\"message\":\"Unknown task, 'this_is_not_a_task'\"}");
    // The zfs_* tasks of the smartos backend are not implemented yet (issue 24).
    assertThat(cn.task("zfs_list_pools", Map.of()).body()).contains("Unknown task, 'zfs_list_pools'");
    assertThat(cn.get("/history").body()).isEqualTo("[]");
  }

  @Test
  void otherServersUuid_is404WithEmptyBody() throws Exception {
    HttpResponse<String> r = CnAgentHarness.HTTP.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(cn.url() + "/tasks")).header("content-type", "application/json")
        .header("x-server-uuid", java.util.UUID.randomUUID().toString())
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"task\":\"nop\",\"params\":{}}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().firstValue("content-type")).isEmpty();
  }

  @Test
  void badJson_unknownRoute_wrongMethod() throws Exception {
    assertThat(Json.parseObject(cn.post("/tasks", "{bad json").body())).containsEntry("code", "InvalidContent");
    HttpResponse<String> nope = cn.get("/nope");
    assertThat(nope.statusCode()).isEqualTo(404);
    assertThat(nope.body()).isEqualTo("{\"code\":\"ResourceNotFound\",\"message\":\"/nope does not exist\"}");
    HttpResponse<String> get = cn.get("/tasks");
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.body()).isEqualTo("{\"code\":\"MethodNotAllowedError\",\"message\":\"GET is not allowed\"}");
  }

  @Test
  void pause_refusesTasksEvenInvalidOnes_resumeAcceptsAgain() throws Exception {
    assertThat(cn.post("/pause", "").statusCode()).isEqualTo(204);
    HttpResponse<String> r = cn.task("nop", Map.of());
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo(
        "{\"code\":\"ServiceUnavailableError\",\"message\":\"CN Agent is not accepting tasks for maintenance\"}");
    assertThat(cn.post("/tasks", "{\"params\":{}}").statusCode()).isEqualTo(503);
    assertThat(cn.get("/history").statusCode()).isEqualTo(200);
    assertThat(cn.post("/resume", "").statusCode()).isEqualTo(204);
    assertThat(cn.task("nop", Map.of()).statusCode()).isEqualTo(200);
  }

  @Test
  void nopError_is500WithTheErrorAndReqId() throws Exception {
    HttpResponse<String> r = cn.task("nop", Map.of("error", "boom"));
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).isEqualTo("{\"error\":\"boom\"}");
    HttpResponse<String> r2 = cn.task("nop", new java.util.LinkedHashMap<>(Map.of("error", "boom", "req_id", "r1")));
    assertThat(r2.body()).isEqualTo("{\"error\":\"boom\",\"req_id\":\"r1\"}");
  }

  @Test
  @SuppressWarnings("unchecked")
  void history_keepsLast16_withReferenceShape() throws Exception {
    for (int i = 0; i < 20; i++) {
      cn.task("nop", Map.of("i", i));
    }
    List<Map<String, Object>> h = (List<Map<String, Object>>) Json.parse(cn.get("/history").body().getBytes());
    assertThat(h).hasSize(16);
    assertThat(((Map<String, Object>) h.get(15).get("params")).get("i")).isEqualTo(19);
    for (Map<String, Object> e : h) {
      assertThat(List.copyOf(e.keySet())).containsExactly("started_at", "task", "pid", "params", "status",
          "errorCount", "messages", "log", "finished_at");
      assertThat(e.get("status")).isEqualTo("finished");
      assertThat(((List<Map<String, Object>>) e.get("messages")).stream().map(m -> m.get("name")))
          .containsExactly("progress", "start", "progress", "finish");
      assertThat(e.get("log")).isEqualTo(List.of());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void errorTask_historyCountsTheError() throws Exception {
    cn.task("nop", Map.of("error", "boom"));
    Map<String, Object> e = ((List<Map<String, Object>>) Json.parse(cn.get("/history").body().getBytes())).get(0);
    assertThat(e.get("errorCount")).isEqualTo(1);
    assertThat(((List<Map<String, Object>>) e.get("messages")).stream().map(m -> m.get("name")))
        .containsExactly("progress", "start", "error", "progress", "finish");
  }

  @Test
  @SuppressWarnings("unchecked")
  void machineKill_uuidNotAString_crashes_failedEntryWithOnlyTheOpeningEvents() throws Exception {
    HttpResponse<String> r = cn.task("machine_kill", Map.of("uuid", 42));
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat((String) Json.parseObject(r.body()).get("error"))
        .matches("^Child task process machine_kill did not terminate cleanly\\. \\(.*\\)$");
    Map<String, Object> e = ((List<Map<String, Object>>) Json.parse(cn.get("/history").body().getBytes())).get(0);
    assertThat(e).containsEntry("status", "failed").containsEntry("errorCount", 0);
    assertThat(((List<Map<String, Object>>) e.get("messages")).stream().map(m -> m.get("name")))
        .containsExactly("progress", "start");
  }

  @Test
  @SuppressWarnings("unchecked")
  void eachTask_writesOneLogFileNamedWithItsPid() throws Exception {
    cn.task("nop", Map.of());
    cn.task("machine_kill", Map.of());
    List<Map<String, Object>> h = (List<Map<String, Object>>) Json.parse(cn.get("/history").body().getBytes());
    try (var files = java.nio.file.Files.list(cn.dir.logsDir().resolve("cn-agent"))) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertThat(names).hasSize(2);
      for (Map<String, Object> e : h) {
        assertThat(names).anyMatch(n -> n.matches("\\d{13}-" + e.get("pid") + "-" + e.get("task") + "\\.log"));
      }
    }
  }

  @Test
  void nopSleep_showsActiveEntryWhileRunning(@TempDir Path own) throws Exception {
    ManualTimer time = new ManualTimer();
    try (CnAgentHarness m = CnAgentHarness.onManualTime(own, new RecordingCnapi(),
        CnAgentOptions.defaults().toBuilder().tmpDir(own.resolve("vartmp")).firstStatusDelay(Duration.ofHours(1))
            .sysinfoPollInterval(Duration.ofHours(1)).build(), time).awaitRegistered()) {
      var pending = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return m.task("nop", Map.of("sleep", 1));
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      Await.require(Duration.ofSeconds(5), () -> time.dueIn().contains(Duration.ofSeconds(1)), "the task's sleep");
      time.advance(Duration.ofMillis(999));
      String during = m.get("/history").body();
      assertThat(during).contains("\"status\":\"active\"").doesNotContain("finished_at");
      assertThat(pending).isNotDone();
      time.advance(Duration.ofMillis(1));
      assertThat(pending.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(m.get("/history").body()).contains("\"status\":\"finished\"");
    }
  }
}
