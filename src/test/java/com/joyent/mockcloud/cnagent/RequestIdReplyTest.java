package com.joyent.mockcloud.cnagent;

import static com.joyent.mockcloud.cnagent.MachineLifecycleTaskTest.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 §3: machine_boot and the snapshot tasks answer with {@code req_id} (the request's
 * {@code x-request-id}) after {@code vm} or {@code details}, as the reference does
 * (lifecycle-3cn S09, S12a–c, S16), and so do their later history events; bad params answer
 * the generic crash and leave the reason in the task's log at error level.
 */
class RequestIdReplyTest {
  @TempDir static Path tmp;
  static CnAgentHarness cn;

  @BeforeAll
  static void startCn() throws Exception {
    cn = new CnAgentHarness(tmp).awaitRegistered();
  }

  @AfterAll
  static void stopCn() {
    cn.close();
  }

  /** {@code POST /tasks} as CNAPI sends it, with its own {@code x-request-id}. */
  static HttpResponse<String> task(String reqId, String task, Object params) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("task", task);
    body.put("params", params);
    return CnAgentHarness.HTTP.send(HttpRequest.newBuilder(URI.create(cn.url() + "/tasks"))
        .header("content-type", "application/json").header("x-server-uuid", cn.uuid().toString())
        .header("x-request-id", reqId).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(Json.compact(body))).build(), HttpResponse.BodyHandlers.ofString());
  }

  static String newVm() throws Exception {
    String v = UUID.randomUUID().toString();
    assertThat(cn.call("machine_create", MachineCreateTaskTest.minimal(v)).status()).isEqualTo(200);
    return v;
  }

  static String rid() {
    return UUID.randomUUID().toString();
  }

  /** A successful answer: {@code {"vm":{…},"req_id":reqId}}, in that order. */
  static Map<String, Object> assertVmThenReqId(HttpResponse<String> r, String reqId) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Map<String, Object> body = Json.parseObject(r.body());
    assertThat(List.copyOf(body.keySet())).containsExactly("vm", "req_id");
    assertThat(body).containsEntry("req_id", reqId);
    assertThat(r.headers().firstValue("x-request-id")).hasValue(reqId);
    return body;
  }

  @Test
  void machineBoot_answersVmThenReqId_andItsErrorAnswersDetailsThenReqId() throws Exception {
    String v = newVm();
    cn.call("machine_shutdown", Map.of("uuid", v));
    String u = UUID.randomUUID().toString();
    String ok = rid();
    String missing = rid();

    HttpResponse<String> boot = task(ok, "machine_boot", Map.of("uuid", v));
    HttpResponse<String> notThere = task(missing, "machine_boot", Map.of("uuid", u));

    @SuppressWarnings("unchecked")
    Map<String, Object> vm = (Map<String, Object>) assertVmThenReqId(boot, ok).get("vm");
    assertThat(vm).containsEntry("uuid", v).containsEntry("state", "running").doesNotContainKey("req_id");
    assertThat(notThere.statusCode()).isEqualTo(500);
    assertThat(notThere.body()).isEqualTo("{\"error\":\"vmadm.start error: vmadm load " + u
        + " failed: No such zone\",\"details\":{\"restCode\":\"VmNotFound\"},\"req_id\":\"" + missing + "\"}");
  }

  @Test
  void machineBoot_whoseUpdateFails_answersWithoutReqId_asItFailsBeforeTheStart() throws Exception {
    String u = UUID.randomUUID().toString();

    HttpResponse<String> r = task(rid(), "machine_boot", params("uuid", u, "update", Map.of("alias", "x")));

    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).isEqualTo(MachineLifecycleTaskTest.notFound("vmadm.update error: ", u));
  }

  @Test
  void snapshotTasks_answerVmThenReqId() throws Exception {
    String v = newVm();
    String create = rid();
    String rollback = rid();
    String delete = rid();

    assertVmThenReqId(task(create, "machine_create_snapshot", params("uuid", v, "snapshot_name", "s1")), create);
    assertVmThenReqId(task(rollback, "machine_rollback_snapshot", params("uuid", v, "snapshot_name", "s1")), rollback);
    Map<String, Object> deleted =
        assertVmThenReqId(task(delete, "machine_delete_snapshot", params("uuid", v, "snapshot_name", "s1")), delete);

    assertThat(((Map<?, ?>) deleted.get("vm")).get("snapshots")).isEqualTo(List.of());
  }

  @Test
  void snapshotTasks_errorsAnswerReqIdLast_withOrWithoutDetails() throws Exception {
    String v = newVm();
    String u = UUID.randomUUID().toString();
    String a = rid();
    String b = rid();
    String c = rid();

    HttpResponse<String> create = task(a, "machine_create_snapshot", params("uuid", u, "snapshot_name", "s1"));
    HttpResponse<String> delete = task(b, "machine_delete_snapshot", params("uuid", u, "snapshot_name", "s1"));
    HttpResponse<String> rollback = task(c, "machine_rollback_snapshot", params("uuid", v, "snapshot_name", "nope"));

    assertThat(create.statusCode()).isEqualTo(500);
    assertThat(create.body()).isEqualTo(MachineLifecycleTaskTest.notFound("vmadm.create_snapshot error: ", u, a));
    assertThat(delete.body()).isEqualTo(MachineLifecycleTaskTest.notFound("vmadm.delete_snapshot error: ", u, b));
    assertThat(rollback.statusCode()).isEqualTo(500);
    assertThat(rollback.body()).isEqualTo("{\"error\":\"vmadm.rollback_snapshot error: No snapshot named \\\"nope\\\" for "
        + v + "\",\"req_id\":\"" + c + "\"}");
  }

  @Test
  void otherMachineTasks_answerWithoutReqId_asTheReferences() throws Exception {
    String v = newVm();

    for (String t : List.of("machine_shutdown", "machine_reboot", "machine_update")) {
      HttpResponse<String> r = task(rid(), t, Map.of("uuid", v));
      assertThat(r.statusCode()).as(t).isEqualTo(200);
      assertThat(Json.parseObject(r.body())).as(t).containsOnlyKeys("vm");
    }
    HttpResponse<String> load = task(rid(), "machine_load", Map.of("uuid", v));
    assertThat(Json.parseObject(load.body())).doesNotContainKey("req_id");
  }

  @Test
  @SuppressWarnings("unchecked")
  void history_showsParamsAsSent_andReqIdOnTheEventsFromTheStartOn() throws Exception {
    String v = newVm();
    cn.call("machine_shutdown", Map.of("uuid", v));
    String id = rid();

    HttpResponse<String> boot = task(id, "machine_boot", Map.of("uuid", v));

    assertThat(boot.statusCode()).isEqualTo(200);
    Map<String, Object> entry = cn.history().stream().filter(e -> e.get("task").equals("machine_boot")
        && v.equals(((Map<?, ?>) e.get("params")).get("uuid"))).findFirst().orElseThrow();
    assertThat(entry.get("params")).isEqualTo(Map.of("uuid", v));
    List<Map<String, Object>> messages = (List<Map<String, Object>>) entry.get("messages");
    assertThat(messages).extracting(m -> m.get("name")).containsExactly("progress", "start", "progress", "finish");
    // As recorded (lifecycle-3cn GET /history): the wrapper's first two events came before the task took its id.
    assertThat(Json.compact(messages.get(0).get("event"))).isEqualTo("{\"value\":0}");
    assertThat(Json.compact(messages.get(1).get("event"))).isEqualTo("{}");
    assertThat(Json.compact(messages.get(2).get("event"))).isEqualTo("{\"value\":100,\"req_id\":\"" + id + "\"}");
    Map<String, Object> finish = (Map<String, Object>) messages.get(3).get("event");
    assertThat(List.copyOf(finish.keySet())).containsExactly("vm", "req_id");
    assertThat(finish).containsEntry("req_id", id);
  }

  @Test
  void badParams_answerTheGenericCrash_andLogTheReasonAtErrorLevel() throws Exception {
    HttpResponse<String> badUuid = task(rid(), "machine_boot", Map.of("uuid", "not-a-uuid"));
    HttpResponse<String> notAnObject = task(rid(), "machine_create_snapshot", "s1");

    assertThat(badUuid.statusCode()).isEqualTo(500);
    assertThat(badUuid.body()).isEqualTo("{\"error\":\"Child task process machine_boot did not terminate cleanly. (1)\"}");
    assertThat(notAnObject.statusCode()).isEqualTo(500);
    assertThat(notAnObject.body())
        .isEqualTo("{\"error\":\"Child task process machine_create_snapshot did not terminate cleanly. (1)\"}");
    assertThat(errorLines(pidOf("machine_boot", "not-a-uuid"), "machine_boot")).containsExactly(
        "Uncaught exception in task child process: params.uuid must be a UUID, got not-a-uuid");
    assertThat(errorLines(pidOf("machine_create_snapshot", "s1"), "machine_create_snapshot")).containsExactly(
        "Uncaught exception in task child process: params must be an object");
  }

  /** The history pid of the task {@code name} whose params were {@code marker} or held it as uuid. */
  private static int pidOf(String name, String marker) throws Exception {
    return cn.history().stream().filter(e -> e.get("task").equals(name)
        && (marker.equals(e.get("params")) || e.get("params") instanceof Map<?, ?> p && marker.equals(p.get("uuid"))))
        .map(e -> ((Number) e.get("pid")).intValue()).findFirst().orElseThrow();
  }

  /** The {@code msg} of every level-50 (error) line of that task's log file. */
  private static List<String> errorLines(int pid, String task) throws Exception {
    Path dir = cn.dir.logsDir().resolve("cn-agent");
    Path file;
    try (Stream<Path> files = Files.list(dir)) {
      file = files.filter(f -> f.getFileName().toString().endsWith("-" + pid + "-" + task + ".log")).findFirst()
          .orElseThrow();
    }
    return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(Json::parseObject)
        .filter(l -> Integer.valueOf(50).equals(l.get("level"))).map(l -> (String) l.get("msg")).toList();
  }
}
