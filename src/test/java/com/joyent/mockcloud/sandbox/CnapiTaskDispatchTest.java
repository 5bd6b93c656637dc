package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.joyent.mockcloud.testing.TestClock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CnapiTaskDispatchTest {
  private static final String CN = Fixtures.CN_A;
  private static final String VM = Fixtures.VM_1;
  private final TestClock clock = TestClock.frozen();
  private Sandbox sandbox;
  private FakeCnAgent agent;
  private String cnapi;

  @BeforeEach
  void start() {
    sandbox = Sandbox.start(SandboxOptions.defaults().withClock(clock));
    agent = new FakeCnAgent();
    cnapi = sandbox.cnapiUrl();
    TestHttp.Reply r = TestHttp.post(cnapi + "/servers/" + CN + "/sysinfo",
        Map.of("sysinfo", Fixtures.sysinfo(CN, agent.ip(), agent.port())));
    assertThat(r.status()).isEqualTo(200);
  }

  @AfterEach
  void stop() {
    agent.close();
    sandbox.close();
  }

  private String taskId(TestHttp.Reply r) {
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.object()).containsOnlyKeys("id");
    return (String) r.object().get("id");
  }

  private Map<String, Object> waitFor(String id) {
    TestHttp.Reply r = TestHttp.get(cnapi + "/tasks/" + id + "/wait?timeout=10");
    assertThat(r.status()).isEqualTo(200);
    return r.object();
  }

  @Test
  void nop_postsTaskToCnAgentIpAndPort_asCnapiDoes() throws Exception {
    TestHttp.Reply r = TestHttp.send("POST", cnapi + "/servers/" + CN + "/nop", Map.of(),
        Map.of("x-request-id", "9e18fbdf-7651-49ce-84dd-053313b2b72f"));
    String id = taskId(r);

    FakeCnAgent.Received got = agent.take();
    assertThat(got.method()).isEqualTo("POST");
    assertThat(got.path()).isEqualTo("/tasks");
    assertThat(got.headers()).containsEntry("x-server-uuid", CN)
        .containsEntry("x-request-id", "9e18fbdf-7651-49ce-84dd-053313b2b72f")
        .containsEntry("content-type", "application/json").containsEntry("accept", "application/json");
    assertThat(got.body()).isEqualTo(Map.of("task", "nop", "params", Map.of("server_uuid", CN, "sleep", 0)));
    String wire = "{\"task\":\"nop\",\"params\":{\"server_uuid\":\"" + CN + "\",\"sleep\":0}}";
    assertThat(got.headers()).containsEntry("content-md5", java.util.Base64.getEncoder().encodeToString(
        java.security.MessageDigest.getInstance("MD5").digest(wire.getBytes(java.nio.charset.StandardCharsets.UTF_8))));

    Map<String, Object> done = waitFor(id);
    assertThat(List.copyOf(done.keySet())).containsExactly("id", "req_id", "task", "server_uuid", "status",
        "timestamp", "history");
    assertThat(done).containsEntry("id", id).containsEntry("req_id", "9e18fbdf-7651-49ce-84dd-053313b2b72f")
        .containsEntry("task", "nop").containsEntry("server_uuid", CN).containsEntry("status", "complete")
        .containsEntry("timestamp", "2026-11-25T10:00:00.000Z")
        .containsEntry("history", List.of(Map.of("name", "finish", "timestamp", "2026-11-25T10:00:00.000Z",
            "event", Map.of())));
  }

  @Test
  void nop_sleepIsCoercedToInt() throws Exception {
    taskId(TestHttp.post(cnapi + "/servers/" + CN + "/nop", Map.of("sleep", "abc")));
    assertThat(agent.take().params()).containsEntry("sleep", 0);
    taskId(TestHttp.post(cnapi + "/servers/" + CN + "/nop", Map.of("sleep", "2")));
    assertThat(agent.take().params()).containsEntry("sleep", 2);
  }

  @Test
  void getTask_whileAgentHoldsRequest_isActive_thenWaitReturnsComplete() throws Exception {
    CompletableFuture<FakeCnAgent.Answer> release = agent.hold("machine_shutdown");
    String id = taskId(TestHttp.post(cnapi + "/servers/" + CN + "/vms/" + VM + "/stop", Map.of("jobid", "j1")));
    FakeCnAgent.Received got = agent.take();
    assertThat(got.params()).isEqualTo(Map.of("jobid", "j1", "server_uuid", CN, "uuid", VM));
    assertThat(List.copyOf(got.params().keySet())).containsExactly("server_uuid", "uuid", "jobid");

    TestHttp.Reply active = TestHttp.get(cnapi + "/tasks/" + id);
    assertThat(active.status()).isEqualTo(200);
    assertThat(active.object()).containsEntry("status", "active").doesNotContainKey("history");
    assertThat(sandbox.cnapi().tasks().get(id)).containsEntry("status", "active");

    CompletableFuture<TestHttp.Reply> waiting = CompletableFuture.supplyAsync(
        () -> TestHttp.get(cnapi + "/tasks/" + id + "/wait?timeout=10"));
    clock.advance(Duration.ofMillis(250));
    release.complete(new FakeCnAgent.Answer(200, Map.of("vm", Map.of("uuid", VM, "state", "stopped"))));
    Map<String, Object> done = waiting.get().object();
    assertThat(done).containsEntry("status", "complete").containsEntry("history", List.of(Map.of("name", "finish",
        "timestamp", "2026-11-25T10:00:00.250Z", "event", Map.of("vm", Map.of("uuid", VM, "state", "stopped")))));
  }

  @Test
  void wait_timesOut_answers200WithActiveRecord() {
    agent.hold("nop");
    String id = taskId(TestHttp.post(cnapi + "/servers/" + CN + "/nop", Map.of()));
    TestHttp.Reply r = TestHttp.get(cnapi + "/tasks/" + id + "/wait?timeout=1");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.object()).containsEntry("status", "active");
  }

  @Test
  void agentError_recordsFailureWithErrorMessage() {
    agent.answer("machine_boot", 500, Map.of("error",
        "vmadm.start error: vmadm load " + VM + " failed: No such zone", "details", Map.of("restCode", "VmNotFound")));
    String id = taskId(TestHttp.post(cnapi + "/servers/" + CN + "/vms/" + VM + "/start", Map.of()));
    Map<String, Object> done = waitFor(id);
    assertThat(done).containsEntry("status", "failure").containsEntry("history", List.of(
        Map.of("name", "error", "timestamp", "2026-11-25T10:00:00.000Z", "event",
            Map.of("error", Map.of("message", "vmadm.start error: vmadm load " + VM + " failed: No such zone"))),
        Map.of("name", "finish", "timestamp", "2026-11-25T10:00:00.000Z", "event", Map.of())));
  }

  @Test
  void pausedAgent503_failureMessageIsRestifyMessage() {
    agent.answer("nop", 503, Map.of("code", "ServiceUnavailableError",
        "message", "CN Agent is not accepting tasks for maintenance"));
    Map<String, Object> done = waitFor(taskId(TestHttp.post(cnapi + "/servers/" + CN + "/nop", Map.of())));
    assertThat(done).containsEntry("status", "failure");
    assertThat(done.get("history").toString()).contains("CN Agent is not accepting tasks for maintenance");
  }

  @Test
  void agentUnreachable_recordsFailure() {
    agent.close();
    Map<String, Object> done = waitFor(taskId(TestHttp.post(cnapi + "/servers/" + CN + "/nop", Map.of())));
    assertThat(done).containsEntry("status", "failure");
  }

  @Test
  void vmEndpoints_mapToCnAgentTasks() throws Exception {
    Map<String, String[]> calls = new LinkedHashMap<>();
    calls.put("machine_create", new String[] {"POST", "/servers/" + CN + "/vms"});
    calls.put("machine_boot", new String[] {"POST", "/servers/" + CN + "/vms/" + VM + "/start"});
    calls.put("machine_shutdown", new String[] {"POST", "/servers/" + CN + "/vms/" + VM + "/stop"});
    calls.put("machine_kill", new String[] {"POST", "/servers/" + CN + "/vms/" + VM + "/kill"});
    calls.put("machine_reboot", new String[] {"POST", "/servers/" + CN + "/vms/" + VM + "/reboot"});
    calls.put("machine_update", new String[] {"POST", "/servers/" + CN + "/vms/" + VM + "/update"});
    calls.put("machine_reprovision", new String[] {"POST", "/servers/" + CN + "/vms/" + VM + "/reprovision"});
    calls.put("machine_create_snapshot", new String[] {"PUT", "/servers/" + CN + "/vms/" + VM + "/snapshots"});
    calls.put("machine_rollback_snapshot",
        new String[] {"PUT", "/servers/" + CN + "/vms/" + VM + "/snapshots/snap1/rollback"});
    calls.put("machine_delete_snapshot", new String[] {"DELETE", "/servers/" + CN + "/vms/" + VM + "/snapshots/snap1"});
    calls.put("machine_destroy", new String[] {"DELETE", "/servers/" + CN + "/vms/" + VM});
    calls.put("image_ensure_present", new String[] {"POST", "/servers/" + CN + "/ensure-image"});
    for (Map.Entry<String, String[]> c : calls.entrySet()) {
      String method = c.getValue()[0];
      Object body = method.equals("DELETE") ? null : Map.of("uuid", VM, "jobid", "j1");
      String id = taskId(TestHttp.send(method, cnapi + c.getValue()[1], body, Map.of()));
      FakeCnAgent.Received got = agent.take();
      assertThat(got.task()).as(c.getValue()[1]).isEqualTo(c.getKey());
      assertThat(got.params()).containsEntry("server_uuid", CN).containsEntry("uuid", VM);
      assertThat(waitFor(id)).containsEntry("task", c.getKey()).containsEntry("status", "complete");
    }
    assertThat(sandbox.cnapi().tasks().size()).isEqualTo(calls.size());
  }

  @Test
  void snapshotRollback_passesSnapshotNameFromPath() throws Exception {
    taskId(TestHttp.put(cnapi + "/servers/" + CN + "/vms/" + VM + "/snapshots/snap1/rollback", Map.of("jobid", "j")));
    assertThat(List.copyOf(agent.take().params().keySet()))
        .containsExactly("server_uuid", "uuid", "snapshot_name", "jobid");
  }

  @Test
  void taskEndpoints_unknownServerOrBadUuidOrNotRunning_areRejected() {
    TestHttp.Reply missing = TestHttp.post(cnapi + "/servers/" + Fixtures.CN_B + "/nop", Map.of());
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body()).isEqualTo(
        "{\"code\":\"ResourceNotFound\",\"message\":\"Server " + Fixtures.CN_B + " not found\"}");
    TestHttp.Reply bad = TestHttp.post(cnapi + "/servers/nope/nop", Map.of());
    assertThat(bad.status()).isEqualTo(409);
    assertThat(bad.body()).isEqualTo("{\"code\":\"InvalidArgument\",\"message\":\"Invalid server_uuid\"}");

    TestHttp.post(cnapi + "/servers/" + CN + "/events/heartbeat", Map.of());
    clock.advance(Duration.ofSeconds(12));
    TestHttp.Reply notRunning = TestHttp.post(cnapi + "/servers/" + CN + "/vms/" + VM + "/start", Map.of());
    assertThat(notRunning.status()).isEqualTo(409);
    assertThat(notRunning.body()).isEqualTo("{\"code\":\"ServerNotRunning\",\"message\":"
        + "\"Operation attempted on server which is not running\"}");
    assertThat(agent.received()).isEmpty();
    assertThat(sandbox.cnapi().tasks().size()).isZero();
  }

  @Test
  void jobidNotString_is500InvalidParameters() {
    TestHttp.Reply r = TestHttp.post(cnapi + "/servers/" + CN + "/vms/" + VM + "/stop", Map.of("jobid", 12345));
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.body()).isEqualTo("{\"code\":\"InvalidParameters\",\"message\":\"Request parameters failed "
        + "validation\",\"errors\":[{\"field\":\"jobid\",\"code\":\"Invalid\",\"message\":\"value was not a string\"}]}");
  }

  @Test
  void malformedJson_is400InvalidContent() {
    TestHttp.Reply r = TestHttp.post(cnapi + "/servers/" + CN + "/nop", "{bad json");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.object()).containsEntry("code", "InvalidContent");
  }

  @Test
  void unknownTask_is404NoSuchTask() {
    TestHttp.Reply r = TestHttp.get(cnapi + "/tasks/46341780-0000-4000-8000-000000000000");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"code\":\"ResourceNotFound\",\"message\":\"no such task found\"}");
    assertThat(TestHttp.get(cnapi + "/tasks/46341780-0000-4000-8000-000000000000/wait").status()).isEqualTo(404);
  }

  @Test
  void vmLoad_isSyncAndNotPersisted() throws Exception {
    agent.answer("machine_load", 200, Map.of("uuid", VM, "state", "running"));
    TestHttp.Reply r = TestHttp.get(cnapi + "/servers/" + CN + "/vms/" + VM);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.object()).isEqualTo(Map.of("uuid", VM, "state", "running"));
    assertThat(agent.take().body()).isEqualTo(Map.of("task", "machine_load", "params", Map.of("uuid", VM)));
    assertThat(sandbox.cnapi().tasks().size()).isZero();
  }

  @Test
  void vmLoad_vmNotFound_is404_otherErrorIs500() {
    agent.answer("machine_load", 500, Map.of("error", "vmadm.load error: No such zone",
        "details", Map.of("restCode", "VmNotFound")));
    TestHttp.Reply gone = TestHttp.get(cnapi + "/servers/" + CN + "/vms/" + VM);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.body()).isEqualTo("{\"code\":\"ResourceNotFound\",\"message\":\"VM " + VM + " not found\"}");

    agent.answer("machine_load", 500, Map.of("error", "disk on fire"));
    TestHttp.Reply broken = TestHttp.get(cnapi + "/servers/" + CN + "/vms/" + VM);
    assertThat(broken.status()).isEqualTo(500);
    assertThat(broken.body()).isEqualTo(
        "{\"code\":\"InternalError\",\"message\":\"posting task to cn-agent: disk on fire\"}");
  }

  @Test
  void sysinfoRefresh_storesSysinfoFromTaskResult() {
    Map<String, Object> fresh = new LinkedHashMap<>(Fixtures.sysinfo(CN, agent.ip(), agent.port()));
    fresh.put("Hostname", "ignored-after-creation");
    fresh.put("Boot Time", "1764070000");
    agent.answer("server_sysinfo", 200, Map.of("sysinfo", fresh));
    TestHttp.Reply r = TestHttp.post(cnapi + "/servers/" + CN + "/sysinfo-refresh", Map.of());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(sandbox.cnapi().server(CN)).containsEntry("last_boot", "2025-11-25T11:26:40.000Z")
        .containsEntry("hostname", "VC23A9FA13");
  }

  @Test
  void taskHistoryPauseResume_callAgentWithoutTaskRecord() throws Exception {
    agent.answer("/history", 200, List.of(Map.of("task", "nop")));
    TestHttp.Reply history = TestHttp.get(cnapi + "/servers/" + CN + "/task-history");
    assertThat(history.status()).isEqualTo(200);
    assertThat(history.json()).isEqualTo(List.of(Map.of("task", "nop")));
    assertThat(agent.take().path()).isEqualTo("/history");

    agent.answer("/pause", 204, null);
    assertThat(TestHttp.post(cnapi + "/servers/" + CN + "/cn-agent/pause", Map.of()).status()).isEqualTo(204);
    assertThat(agent.take().path()).isEqualTo("/pause");
    agent.answer("/resume", 204, null);
    assertThat(TestHttp.post(cnapi + "/servers/" + CN + "/cn-agent/resume", Map.of()).status()).isEqualTo(204);
    assertThat(sandbox.cnapi().tasks().size()).isZero();
  }

  @Test
  void serverWorkflowEndpoints_checkTheirParametersAsCnapi_andStartNoJob() {
    TestHttp.Reply noNics = TestHttp.put(cnapi + "/servers/" + CN + "/nics", Map.of("action", "update"));
    assertThat(noNics.status()).isEqualTo(500);
    assertThat(noNics.object()).containsEntry("code", "InvalidParameters").containsEntry("errors",
        List.of(Map.of("field", "nics", "code", "Invalid", "message", "value was not an array")));
    TestHttp.Reply badAction = TestHttp.put(cnapi + "/servers/" + CN + "/nics",
        Map.of("action", "frob", "nics", List.of()));
    assertThat(badAction.status()).isEqualTo(500);
    assertThat(badAction.object()).containsEntry("errors", List.of(Map.of("field", "action", "code", "Invalid",
        "message", "action must be 'update', 'replace', or 'delete'")));
    TestHttp.Reply drain = TestHttp.post(cnapi + "/servers/" + CN + "/reboot", Map.of("drain", "yes"));
    assertThat(drain.status()).isEqualTo(500);
    assertThat(drain.object()).containsEntry("errors", List.of(Map.of("field", "drain", "code", "Invalid",
        "message", "value was not true or false")));
    TestHttp.Reply strings = TestHttp.post(cnapi + "/servers/" + CN + "/reboot", Map.of("nojob", "true",
        "origin", 5));
    assertThat(strings.status()).isEqualTo(500); // isBooleanType wants a JSON boolean
    assertThat(strings.errorFields()).containsExactly("nojob", "origin");
    TestHttp.Reply unknown = TestHttp.post(cnapi + "/servers/" + CN + "/reboot", Map.of("force", true));
    assertThat(unknown.status()).isEqualTo(409);
    assertThat(unknown.object()).containsEntry("code", "InvalidArgument");
    TestHttp.Reply execute = TestHttp.post(cnapi + "/servers/" + CN + "/execute", Map.of("script", "true"));
    assertThat(execute.status()).isEqualTo(501);
    assertThat(execute.object()).containsEntry("code", "NotImplementedError");
    assertThat(sandbox.cnapi().tasks().size()).isZero();
  }

  @Test
  void setupAndFactoryReset_answerAsCnapiForASetUpServer() {
    assertThat(TestHttp.put(cnapi + "/servers/" + CN + "/setup", Map.of("hostname", "cn1")).status()).isEqualTo(204);
    TestHttp.Reply layout = TestHttp.put(cnapi + "/servers/" + CN + "/setup", Map.of("disk_layout", "raid5"));
    assertThat(layout.status()).isEqualTo(409);
    assertThat(layout.object()).containsEntry("code", "InvalidArgument").containsEntry("message",
        "disk_layout must be one of: 'single', 'mirror', 'raidz1', 'raidz2', 'raidz3'");
    TestHttp.Reply spares = TestHttp.put(cnapi + "/servers/" + CN + "/setup", Map.of("disk_spares", -1));
    assertThat(spares.status()).isEqualTo(500);
    assertThat(spares.object()).containsEntry("errors", List.of(Map.of("field", "disk_spares", "code", "Invalid",
        "message", "value was not greater than or equal to zero")));
    assertThat(TestHttp.put(cnapi + "/servers/" + CN + "/setup", Map.of("disk_spares", "2")).status()).isEqualTo(204);
    assertThat(TestHttp.put(cnapi + "/servers/" + CN + "/setup", Map.of("colour", "red")).object())
        .containsEntry("code", "InvalidArgument");

    TestHttp.put(sandbox.vmapiUrl() + "/vms/" + VM, Fixtures.vm(VM, CN, "running"));
    TestHttp.Reply busy = TestHttp.put(cnapi + "/servers/" + CN + "/factory-reset", Map.of());
    assertThat(busy.status()).isEqualTo(409);
    assertThat(busy.json()).isEqualTo("Server may not be reset because it has 1 vms"); // restify sends the string as JSON
    TestHttp.put(sandbox.vmapiUrl() + "/vms/" + VM, Fixtures.vm(VM, CN, "destroyed"));
    TestHttp.Reply reset = TestHttp.put(cnapi + "/servers/" + CN + "/factory-reset", Map.of());
    assertThat(reset.status()).isEqualTo(501);
    assertThat(reset.object()).containsEntry("code", "NotImplementedError");
  }

  @Test
  void noAgentAddress_answersIdButWritesNoTask() {
    Map<String, Object> sysinfo = new LinkedHashMap<>(Fixtures.sysinfo(Fixtures.CN_B, "x", 1));
    sysinfo.remove("CN Agent IP");
    sysinfo.remove("Admin IP");
    sysinfo.remove("Network Interfaces");
    TestHttp.post(cnapi + "/servers/" + Fixtures.CN_B + "/sysinfo", Map.of("sysinfo", sysinfo));
    String id = taskId(TestHttp.post(cnapi + "/servers/" + Fixtures.CN_B + "/nop", Map.of()));
    assertThat(TestHttp.get(cnapi + "/tasks/" + id).status()).isEqualTo(404);
  }

  /** Regression: a body read in a second TCP segment must not let Undertow end the exchange early. */
  @Test
  void asyncEndpoint_bodyArrivingAfterHeaders_waitsForAgentReply() throws Exception {
    CompletableFuture<FakeCnAgent.Answer> release = agent.hold("/pause");
    int port = Integer.parseInt(cnapi.substring(cnapi.lastIndexOf(':') + 1));
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /servers/" + CN + "/cn-agent/pause HTTP/1.1\r\nHost: cnapi\r\n"
          + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // real sleep: the headers must reach the server in a read of their own, before the body
      Thread.sleep(200);
      out.write("{}".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(agent.take().path()).isEqualTo("/pause");
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      s.setSoTimeout(300);
      assertThatThrownBy(in::readLine).isInstanceOf(SocketTimeoutException.class);
      release.complete(new FakeCnAgent.Answer(204, null));
      s.setSoTimeout(5000);
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 204 No Content");
    }
  }
}
