package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** machine_kill as a SmartOS CN runs it: vmadm kill, its errors, the VM file afterwards. */
class MachineKillTaskTest {
  static final String EXIT_1 = "{\"error\":\"vmadm.kill error: vmadm exited with code: 1 signal: null\"}";

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

  static String runningVm() throws Exception {
    return CreatedVms.zone(cn);
  }

  static Map<String, Object> params(Object... kv) {
    return CreatedVms.params(kv);
  }

  @Test
  void kill_runningVmNoSignal_stopsItKeepingAutobootAndAnswersTheVm() throws Exception {
    String v = runningVm();

    CnAgentHarness.Answer a = cn.call("machine_kill", params("uuid", v));

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    assertThat(a.json()).containsOnlyKeys("vm", "req_id").containsEntry("req_id", a.requestId());
    assertThat(a.vm()).containsEntry("uuid", v).containsEntry("state", "stopped").containsEntry("autoboot", true);
    assertThat(cn.vmOnDisk(v)).containsEntry("state", "stopped").containsEntry("autoboot", true);
    Map<String, Object> entry = cn.history().get(cn.history().size() - 1);
    assertThat(entry).containsEntry("task", "machine_kill").containsEntry("status", "finished");
    assertThat(CnAgentHarness.messageNames(entry)).containsExactly("progress", "start", "progress", "finish");
  }

  @Test
  void kill_numericOrNamedDeadlySignal_stopsTheVm() throws Exception {
    for (String signal : List.of("9", "KILL", "SIGHUP")) {
      String v = runningVm();
      CnAgentHarness.Answer a = cn.call("machine_kill", params("uuid", v, "signal", signal));
      assertThat(a.status()).as(signal + ": " + a.body()).isEqualTo(200);
      assertThat(cn.vmOnDisk(v)).as(signal).containsEntry("state", "stopped");
    }
  }

  @Test
  void kill_signalZeroOrOneThatIsIgnored_leavesTheVmRunningAndItsFileUntouched() throws Exception {
    for (String signal : List.of("0", "SIGWINCH", "CHLD")) {
      String v = runningVm();
      byte[] before = Files.readAllBytes(cn.vmFile(v));
      CnAgentHarness.Answer a = cn.call("machine_kill", params("uuid", v, "signal", signal));
      assertThat(a.status()).as(signal + ": " + a.body()).isEqualTo(200);
      assertThat(a.vm()).as(signal).containsEntry("state", "running");
      assertThat(Files.readAllBytes(cn.vmFile(v))).as(signal).isEqualTo(before);
    }
  }

  @Test
  void kill_unknownSignal_failsAsVmadmExits1_andChangesNothing() throws Exception {
    String v = runningVm();
    byte[] before = Files.readAllBytes(cn.vmFile(v));

    for (String signal : List.of("BOGUS", "sigterm", "SIGBOGUS")) {
      CnAgentHarness.Answer a = cn.call("machine_kill", params("uuid", v, "signal", signal));
      assertThat(a.status()).isEqualTo(500);
      assertBodyWithReqId(a, EXIT_1);
    }
    assertThat(Files.readAllBytes(cn.vmFile(v))).isEqualTo(before);
  }

  @Test
  void kill_stoppedVm_failsUnlessIdempotent() throws Exception {
    String v = runningVm();
    assertThat(cn.call("machine_shutdown", params("uuid", v)).status()).isEqualTo(200);
    byte[] stopped = Files.readAllBytes(cn.vmFile(v));

    CnAgentHarness.Answer plain = cn.call("machine_kill", params("uuid", v));
    assertThat(plain.status()).isEqualTo(500);
    assertBodyWithReqId(plain, EXIT_1);

    for (Object idempotent : List.of(true, "true")) {
      CnAgentHarness.Answer a = cn.call("machine_kill", params("uuid", v, "idempotent", idempotent));
      assertThat(a.status()).as(a.body()).isEqualTo(200);
      assertThat(a.vm()).containsEntry("state", "stopped").containsEntry("autoboot", false);
    }
    assertThat(Files.readAllBytes(cn.vmFile(v))).isEqualTo(stopped);
  }

  @Test
  void kill_missingVmOrUuidThatIsNoUuid_isVmNotFound_withTheRequestsReqId() throws Exception {
    String notFound = "{\"error\":\"vmadm.kill error: VM does not exist\",\"details\":{\"restCode\":\"VmNotFound\"}";

    assertBodyWithReqId(cn.call("machine_kill", params("uuid", UUID.randomUUID().toString())), notFound + "}");
    assertBodyWithReqId(cn.call("machine_kill", params("uuid", "../../etc/passwd")), notFound + "}");
    // A req_id in the params is overwritten by the request's, as the real task sets it.
    CnAgentHarness.Answer withReq = cn.call("machine_kill", params("uuid", UUID.randomUUID().toString(),
        "req_id", "r-1"));
    assertThat(withReq.status()).isEqualTo(500);
    assertBodyWithReqId(withReq, notFound + "}");
  }

  @Test
  void kill_doNotInventoryVm_isFoundOnlyWithIncludeDni() throws Exception {
    String v = runningVm();
    Map<String, Object> vm = new LinkedHashMap<>(cn.vmOnDisk(v));
    vm.put("do_not_inventory", true);
    cn.writeVmFixture(vm);

    assertThat(cn.call("machine_kill", params("uuid", v)).json()).containsEntry("error",
        "vmadm.kill error: VM does not exist");
    CnAgentHarness.Answer a = cn.call("machine_kill", params("uuid", v, "include_dni", true));
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    assertThat(cn.vmOnDisk(v)).containsEntry("state", "stopped");
  }

  @Test
  void kill_paramsOfTheWrongType_crashAsTheRealTaskAsserts() throws Exception {
    String v = runningVm();
    for (Map<String, Object> p : List.of(params("uuid", v, "signal", 9), params("uuid", v, "include_dni", "yes"),
        params("signal", "KILL"))) {
      CnAgentHarness.Answer a = cn.call("machine_kill", p);
      assertThat(a.status()).isEqualTo(500);
      assertThat((String) Json.parseObject(a.body()).get("error"))
          .startsWith("Child task process machine_kill did not terminate cleanly.");
    }
    assertThat(cn.vmOnDisk(v)).containsEntry("state", "running");
  }

  /** The task adopted the request id (as the real one does before calling vmadm): the body ends with it. */
  private static void assertBodyWithReqId(CnAgentHarness.Answer a, String bodyWithoutReqId) {
    assertThat(a.requestId()).isNotBlank();
    assertThat(a.body()).isEqualTo(a.withReqId(bodyWithoutReqId));
  }
}
