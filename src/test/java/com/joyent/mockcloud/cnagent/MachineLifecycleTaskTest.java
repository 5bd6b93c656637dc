package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.JsValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conformance cases 34–48 of spec cn-agent.md §7: machine_load, machine_shutdown,
 * machine_boot, machine_reboot and machine_update. One CN for the class; each test makes
 * its own VMs through machine_create.
 */
class MachineLifecycleTaskTest {
  static final String M1 = "90:b8:d0:00:00:01";
  static final String M2 = "90:b8:d0:00:00:02";

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

  /** Creates a running joyent-minimal VM with the given NICs and returns its uuid. */
  static String createVm(List<Map<String, Object>> nics) throws Exception {
    String v = UUID.randomUUID().toString();
    Map<String, Object> p = MachineCreateTaskTest.minimal(v);
    p.put("nics", nics);
    CnAgentHarness.Answer a = cn.call("machine_create", p);
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    return v;
  }

  static String createVm() throws Exception {
    return createVm(List.of());
  }

  static Map<String, Object> nic(String mac, String ip, String tag, boolean primary) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("mac", mac);
    n.put("ip", ip);
    n.put("netmask", "255.255.255.0");
    n.put("nic_tag", tag);
    if (primary) {
      n.put("primary", true);
    }
    return n;
  }

  static Map<String, Object> params(Object... kv) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      p.put((String) kv[i], kv[i + 1]);
    }
    return p;
  }

  static String notFound(String prefix, String uuid) {
    return "{\"error\":\"" + prefix + "vmadm load " + uuid + " failed: No such zone\","
        + "\"details\":{\"restCode\":\"VmNotFound\"}}";
  }

  /** The same from a task that adds its request id (machine_boot, the snapshot tasks). */
  static String notFound(String prefix, String uuid, String reqId) {
    return "{\"error\":\"" + prefix + "vmadm load " + uuid + " failed: No such zone\","
        + "\"details\":{\"restCode\":\"VmNotFound\"},\"req_id\":\"" + reqId + "\"}";
  }

  @Test
  void machineLoad_existingVm_answersTheBareViewWithFileMtime() throws Exception {
    String v = createVm();

    CnAgentHarness.Answer a = cn.call("machine_load", Map.of("uuid", v));

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.json()).doesNotContainKey("vm").containsEntry("uuid", v).containsEntry("zonename", v)
        .containsEntry("state", "running");
    String mtime = JsValues.isoString(Instant.ofEpochMilli(Files.getLastModifiedTime(cn.vmFile(v)).toMillis()));
    assertThat(a.json()).containsEntry("last_modified", mtime);
  }

  @Test
  void machineLoad_unknownUuid_failsWithVmNotFound() throws Exception {
    String u = UUID.randomUUID().toString();

    CnAgentHarness.Answer a = cn.call("machine_load", Map.of("uuid", u));

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.body()).isEqualTo(notFound("VM.load error: ", u));
  }

  @Test
  void machineLoad_notAUuid_crashes() throws Exception {
    CnAgentHarness.Answer a = cn.call("machine_load", Map.of("uuid", "not-a-uuid"));

    assertThat(a.status()).isEqualTo(500);
    assertThat((String) a.json().get("error"))
        .matches("^Child task process machine_load did not terminate cleanly\\. \\(.*\\)$");
  }

  @Test
  void doNotInventoryFixture_isNotFoundForLoad_butExistsForCreate() throws Exception {
    String v = UUID.randomUUID().toString();
    Map<String, Object> fixture = MachineCreateTaskTest.minimal(v);
    fixture.put("state", "running");
    fixture.put("do_not_inventory", true);
    cn.writeVmFixture(fixture);

    CnAgentHarness.Answer load = cn.call("machine_load", Map.of("uuid", v));
    CnAgentHarness.Answer create = cn.call("machine_create", MachineCreateTaskTest.minimal(v));

    assertThat(load.status()).isEqualTo(500);
    assertThat(load.body()).isEqualTo(notFound("VM.load error: ", v));
    assertThat(create.status()).isEqualTo(500);
    assertThat(create.body()).isEqualTo("{\"error\":\"Machine " + v + " exists.\"}");
  }

  @Test
  void machineShutdown_runningVm_isStoppedAndFileHasNoZoneState() throws Exception {
    String v = createVm();

    CnAgentHarness.Answer a = cn.call("machine_shutdown", Map.of("uuid", v));

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.vm()).containsEntry("state", "stopped").containsEntry("autoboot", false)
        .containsEntry("zone_state", "stopped").containsEntry("exit_status", 0);
    assertThat(cn.vmOnDisk(v)).containsEntry("state", "stopped").doesNotContainKey("zone_state");
  }

  @Test
  void machineShutdown_timeoutNotNumeric_failsWithItsJsType() throws Exception {
    String v = createVm();

    CnAgentHarness.Answer abc = cn.call("machine_shutdown", params("uuid", v, "timeout", "abc"));
    CnAgentHarness.Answer bool = cn.call("machine_shutdown", params("uuid", v, "timeout", true));

    assertThat(abc.status()).isEqualTo(500);
    assertThat(abc.body()).isEqualTo("{\"error\":\"Invalid type: \\\"string\\\" for timeout\"}");
    assertThat(bool.body()).isEqualTo("{\"error\":\"Invalid type: \\\"boolean\\\" for timeout\"}");
    assertThat(cn.vmOnDisk(v)).containsEntry("state", "running");
    assertThat(cn.call("machine_shutdown", params("uuid", v, "timeout", "30")).status()).isEqualTo(200);
    assertThat(cn.call("machine_shutdown", params("uuid", v, "timeout", 30)).status()).isEqualTo(200);
  }

  @Test
  void machineBoot_stoppedVm_runsWithAutoboot_andRunningVmStillSucceeds() throws Exception {
    String v = createVm();
    cn.call("machine_shutdown", Map.of("uuid", v));

    CnAgentHarness.Answer boot = cn.call("machine_boot", Map.of("uuid", v));
    CnAgentHarness.Answer again = cn.call("machine_boot", Map.of("uuid", v));

    assertThat(boot.status()).isEqualTo(200);
    assertThat(boot.vm()).containsEntry("state", "running").containsEntry("autoboot", true)
        .containsEntry("zone_state", "running");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.vm()).containsEntry("state", "running");
  }

  @Test
  void machineBoot_withUpdate_appliesItFirst() throws Exception {
    String v = createVm();
    cn.call("machine_shutdown", Map.of("uuid", v));

    CnAgentHarness.Answer a = cn.call("machine_boot", params("uuid", v, "update", Map.of("alias", "x")));

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.vm()).containsEntry("alias", "x").containsEntry("state", "running");
    assertThat(cn.vmOnDisk(v)).containsEntry("alias", "x");
    // The task's own copy got uuid injected into update; history shows the params as sent (§9).
    Map<String, Object> entry = cn.history().stream().filter(e -> e.get("task").equals("machine_boot")
        && v.equals(((Map<?, ?>) e.get("params")).get("uuid"))).findFirst().orElseThrow();
    assertThat(entry.get("params")).isEqualTo(Map.of("uuid", v, "update", Map.of("alias", "x")));
  }

  @Test
  void machineBoot_unknownUuid_failsWithStartError() throws Exception {
    String u = UUID.randomUUID().toString();

    CnAgentHarness.Answer a = cn.call("machine_boot", Map.of("uuid", u));

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.body()).isEqualTo(notFound("vmadm.start error: ", u, a.requestId()));
  }

  @Test
  void machineReboot_stoppedVm_runsAgainAndRewritesTheFile() throws Exception {
    String v = createVm();
    cn.call("machine_shutdown", Map.of("uuid", v));
    long before = Files.getLastModifiedTime(cn.vmFile(v)).toMillis();

    CnAgentHarness.Answer a = cn.call("machine_reboot", Map.of("uuid", v));

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.vm()).containsEntry("state", "running").containsEntry("autoboot", true);
    assertThat(cn.vmOnDisk(v)).containsEntry("state", "running").containsEntry("autoboot", true);
    assertThat(Files.getLastModifiedTime(cn.vmFile(v)).toMillis()).isGreaterThan(before);
  }

  @Test
  void machineUpdate_aliasBillingTagsAndMetadata_allTakeEffect() throws Exception {
    String v = createVm();

    CnAgentHarness.Answer a = cn.call("machine_update", params("uuid", v, "alias", "a2", "billing_id", "b",
        "set_tags", Map.of("k", "v"), "set_customer_metadata", Map.of("m", "1")));

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.vm()).containsEntry("alias", "a2").containsEntry("billing_id", "b")
        .containsEntry("tags", Map.of("k", "v"));
    // Deviation D6 (vmadm-and-vm-agent.md §7): metadata updates work; the reference ignores them.
    assertThat(a.vm()).containsEntry("customer_metadata", Map.of("m", "1"));
    assertThat(cn.vmOnDisk(v)).containsEntry("alias", "a2").containsEntry("customer_metadata", Map.of("m", "1"));
  }

  @Test
  void machineUpdate_setRoutesAlone_isPersisted() throws Exception {
    String v = createVm();

    CnAgentHarness.Answer a = cn.call("machine_update",
        params("uuid", v, "set_routes", Map.of("10.0.0.0/8", "10.1.1.1")));

    // Deviation D2: the reference does not write a set_routes-only update (case 45 inverted).
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.vm()).containsEntry("routes", Map.of("10.0.0.0/8", "10.1.1.1"));
    assertThat(cn.vmOnDisk(v)).containsEntry("routes", Map.of("10.0.0.0/8", "10.1.1.1"));
  }

  @Test
  void machineUpdate_removeTags_removesTheListedKeys() throws Exception {
    String v = createVm();
    cn.call("machine_update", params("uuid", v, "set_tags", Map.of("a", "1", "b", "2")));

    CnAgentHarness.Answer a = cn.call("machine_update", params("uuid", v, "remove_tags", List.of("a")));

    // Deviation D1: the reference's remove_tags is a no-op.
    assertThat(a.vm()).containsEntry("tags", Map.of("b", "2"));
  }

  @Test
  void machineUpdate_addPrimaryNicOnRunningVm_appendsItAndReboots() throws Exception {
    String v = createVm(List.of(nic(M1, "10.1.2.3", "admin", true)));

    CnAgentHarness.Answer a = cn.call("machine_update",
        params("uuid", v, "add_nics", List.of(nic(M2, "10.1.2.4", "external", true))));

    assertThat(a.status()).isEqualTo(200);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> nics = (List<Map<String, Object>>) cn.vmOnDisk(v).get("nics");
    assertThat(nics).extracting(n -> n.get("mac")).containsExactly(M1, M2);
    assertThat(nics.get(0)).doesNotContainKey("primary");
    assertThat(nics.get(1)).containsEntry("primary", true).containsEntry("ips", List.of("10.1.2.4/24"))
        .containsEntry("nic_tag", "external");
    assertThat(cn.vmOnDisk(v)).containsEntry("state", "running");
    Map<String, Object> entry = cn.history().stream().filter(e -> e.get("task").equals("machine_update")
        && v.equals(((Map<?, ?>) e.get("params")).get("uuid"))).findFirst().orElseThrow();
    assertThat(entry.toString()).contains("{value=75}");
    assertThat(CnAgentHarness.messageNames(entry))
        .containsExactly("progress", "start", "progress", "progress", "finish");
  }

  @Test
  void machineUpdate_removePrimaryNic_promotesTheRemainingPrivateNic() throws Exception {
    String v = createVm(List.of(nic(M1, "10.1.2.3", "admin", true), nic(M2, "10.1.3.3", "external", false)));

    CnAgentHarness.Answer a = cn.call("machine_update", params("uuid", v, "remove_nics", List.of(M1)));

    assertThat(a.status()).isEqualTo(200);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> nics = (List<Map<String, Object>>) cn.vmOnDisk(v).get("nics");
    assertThat(nics).hasSize(1);
    assertThat(nics.get(0)).containsEntry("mac", M2).containsEntry("primary", true);
  }

  @Test
  void machineUpdate_unknownUuid_failsWithUpdateError() throws Exception {
    String u = UUID.randomUUID().toString();

    CnAgentHarness.Answer a = cn.call("machine_update", params("uuid", u, "alias", "x"));

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.body()).isEqualTo(notFound("vmadm.update error: ", u));
  }

  @Test
  void machineLoad_withReqId_decoratesTheViewAndTheError() throws Exception {
    String v = createVm();
    String u = UUID.randomUUID().toString();

    CnAgentHarness.Answer ok = cn.call("machine_load", params("uuid", v, "req_id", "r1"));
    CnAgentHarness.Answer missing = cn.call("machine_load", params("uuid", u, "req_id", "r1"));

    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.body()).endsWith(",\"req_id\":\"r1\"}");
    assertThat(missing.status()).isEqualTo(500);
    assertThat(missing.body()).isEqualTo("{\"error\":\"VM.load error: vmadm load " + u + " failed: No such zone\","
        + "\"details\":{\"restCode\":\"VmNotFound\"},\"req_id\":\"r1\"}");
  }

  @Test
  void machineShutdownAndReboot_unknownUuid_failWithTheirPrefixes() throws Exception {
    String u = UUID.randomUUID().toString();

    CnAgentHarness.Answer stop = cn.call("machine_shutdown", Map.of("uuid", u));
    CnAgentHarness.Answer reboot = cn.call("machine_reboot", Map.of("uuid", u));

    assertThat(stop.status()).isEqualTo(500);
    assertThat(stop.body()).isEqualTo(notFound("vmadm.stop error: ", u));
    assertThat(reboot.status()).isEqualTo(500);
    assertThat(reboot.body()).isEqualTo(notFound("vmadm.reboot error: ", u));
  }

  @Test
  void machineReboot_timeoutNotNumeric_failsBeforeRebooting() throws Exception {
    String v = createVm();
    cn.call("machine_shutdown", Map.of("uuid", v));

    CnAgentHarness.Answer a = cn.call("machine_reboot", params("uuid", v, "timeout", "soon"));

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.body()).isEqualTo("{\"error\":\"Invalid type: \\\"string\\\" for timeout\"}");
    assertThat(cn.vmOnDisk(v)).containsEntry("state", "stopped");
  }
}
