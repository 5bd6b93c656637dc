package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import java.nio.charset.StandardCharsets;
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

/**
 * Conformance cases 25–33 and 57 of spec cn-agent.md §7 (machine_create). One CN for the
 * class; every test uses its own VM uuids.
 */
class MachineCreateTaskTest {
  static final String OWNER = "930896af-bf8c-48d4-885c-6573a94b1853";
  static final String CRASH = "^Child task process machine_create did not terminate cleanly\\. \\(.*\\)$";

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

  /** The minimal create params of case 25, in that key order. */
  static Map<String, Object> minimal(String uuid) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("uuid", uuid);
    p.put("brand", "joyent-minimal");
    p.put("owner_uuid", OWNER);
    p.put("ram", 256);
    p.put("nics", List.of());
    return p;
  }

  static String newUuid() {
    return UUID.randomUUID().toString();
  }

  @Test
  void machineCreate_minimalParams_answersTheLoadedViewAndWritesThePrettyFile() throws Exception {
    String v = newUuid();
    CnAgentHarness.Answer a = cn.call("machine_create", minimal(v));

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.json()).containsOnlyKeys("vm");
    Map<String, Object> vm = a.vm();
    Map<String, Object> sysinfo = cn.dir.readSysinfo();
    assertThat(vm).containsEntry("uuid", v)
        .containsEntry("state", "running").containsEntry("zone_state", "running").containsEntry("autoboot", true)
        .containsEntry("zonename", v).containsEntry("server_uuid", cn.uuid().toString())
        .containsEntry("datacenter_name", sysinfo.get("Datacenter Name"))
        .containsEntry("platform_buildstamp", sysinfo.get("Live Image"))
        .containsEntry("max_physical_memory", 256).containsEntry("max_swap", 256)
        .containsEntry("max_locked_memory", 256).containsEntry("cpu_shares", 100).containsEntry("max_lwps", 2000)
        .containsEntry("zfs_io_priority", 100).containsEntry("limit_priv", "default")
        .containsEntry("datasets", List.of()).containsEntry("zpool", "zones")
        .containsEntry("zfs_filesystem", "zones/" + v).containsEntry("zonepath", "/zones/" + v)
        .doesNotContainKey("ram");

    String file = Files.readString(cn.vmFile(v), StandardCharsets.UTF_8);
    assertThat(file).startsWith("{\n  \"uuid\": \"" + v + "\",\n").endsWith("}\n").doesNotEndWith("\n\n");
    Map<String, Object> onDisk = Json.parseObject(file);
    assertThat(new String(Json.prettyBytes(onDisk, 2), StandardCharsets.UTF_8)).isEqualTo(file);
    // §3.2.3: kept params in input order (ram dropped for a zone brand), then cn-agent's
    // defaults, then the store's (§3.1.4).
    assertThat(List.copyOf(onDisk.keySet())).containsExactly("uuid", "brand", "owner_uuid", "nics", "autoboot",
        "datasets", "limit_priv", "zpool", "zfs_filesystem", "zonepath", "zfs_io_priority", "state",
        "create_timestamp", "cpu_shares", "max_lwps", "max_physical_memory", "max_locked_memory", "max_swap");
    assertThat(onDisk).containsEntry("nics", List.of());
  }

  @Test
  void machineCreate_existingUuid_failsWithMachineExists() throws Exception {
    String v = newUuid();
    assertThat(cn.call("machine_create", minimal(v)).status()).isEqualTo(200);

    CnAgentHarness.Answer again = cn.call("machine_create", minimal(v));

    assertThat(again.status()).isEqualTo(500);
    assertThat(again.body()).isEqualTo("{\"error\":\"Machine " + v + " exists.\"}");
  }

  @Test
  void machineCreate_autobootFalse_isStoppedWithExitFieldsAndNoPid() throws Exception {
    String v = newUuid();
    Map<String, Object> p = minimal(v);
    p.put("autoboot", false);

    Map<String, Object> vm = cn.call("machine_create", p).vm();

    assertThat(vm).containsEntry("state", "stopped").containsEntry("zone_state", "stopped")
        .containsEntry("exit_status", 0).containsEntry("exit_timestamp", vm.get("last_modified"))
        .doesNotContainKeys("pid", "zoneid");
  }

  @Test
  void machineCreate_autobootAsString_isStopped() throws Exception {
    String v = newUuid();
    Map<String, Object> p = minimal(v);
    p.put("autoboot", "true");

    Map<String, Object> vm = cn.call("machine_create", p).vm();

    assertThat(vm).containsEntry("state", "stopped").containsEntry("autoboot", "true");
  }

  @Test
  void machineCreate_kvmWithRamOnly_keepsRamAndDefaultsMemoryAndDisks() throws Exception {
    String v = newUuid();
    Map<String, Object> p = minimal(v);
    p.put("brand", "kvm");
    p.put("ram", 1024);

    Map<String, Object> vm = cn.call("machine_create", p).vm();

    // Deviation D7 (vmadm-and-vm-agent.md §7): absent kvm disks become [] (the reference writes {}).
    assertThat(vm).containsEntry("ram", 1024).containsEntry("max_physical_memory", 1024)
        .containsEntry("disks", List.of());
    assertThat(cn.vmOnDisk(v)).containsEntry("ram", 1024).containsEntry("disks", List.of());
  }

  @Test
  void machineCreate_nicWithGatewayAndBelongsTo_keepsOnlyWhitelistedKeysThenIps() throws Exception {
    String v = newUuid();
    Map<String, Object> nic = new LinkedHashMap<>();
    nic.put("ip", "10.1.2.3");
    nic.put("netmask", "255.255.255.0");
    nic.put("mac", "90:b8:d0:2f:6b:5d");
    nic.put("nic_tag", "admin");
    nic.put("gateway", "10.1.2.1");
    nic.put("belongs_to_uuid", v);
    nic.put("primary", true);
    Map<String, Object> p = minimal(v);
    p.put("nics", List.of(nic));

    assertThat(cn.call("machine_create", p).status()).isEqualTo(200);

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> nics = (List<Map<String, Object>>) cn.vmOnDisk(v).get("nics");
    assertThat(nics).hasSize(1);
    assertThat(Json.compact(nics.get(0))).isEqualTo("{\"ip\":\"10.1.2.3\",\"netmask\":\"255.255.255.0\","
        + "\"mac\":\"90:b8:d0:2f:6b:5d\",\"nic_tag\":\"admin\",\"primary\":true,\"ips\":[\"10.1.2.3/24\"]}");
  }

  @Test
  void machineCreate_droppedParams_areNotStoredAndIoPriorityIs100() throws Exception {
    String v = newUuid();
    Map<String, Object> p = minimal(v);
    p.put("zfs_io_priority", 10);
    p.put("firewall_enabled", true);
    p.put("do_not_inventory", true);

    CnAgentHarness.Answer a = cn.call("machine_create", p);

    assertThat(a.status()).isEqualTo(200);
    // firewall_enabled is kept, as real vmadm keeps it (the Node dummy dropped it: docs/firewaller.md).
    assertThat(a.vm()).containsEntry("zfs_io_priority", 100).containsEntry("firewall_enabled", true)
        .doesNotContainKeys("do_not_inventory");
    assertThat(cn.vmOnDisk(v)).containsEntry("zfs_io_priority", 100).containsEntry("firewall_enabled", true)
        .doesNotContainKeys("do_not_inventory");
    // do_not_inventory was dropped, so the VM is visible to machine_load.
    assertThat(cn.call("machine_load", Map.of("uuid", v)).status()).isEqualTo(200);
  }

  @Test
  void machineCreate_withoutNics_succeedsWithEmptyNics() throws Exception {
    String v = newUuid();
    Map<String, Object> p = minimal(v);
    p.remove("nics");

    CnAgentHarness.Answer a = cn.call("machine_create", p);

    // Deviation D7: the reference crashes here (nics defaults to {}); mockcloud uses [].
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.vm()).containsEntry("nics", List.of());
    assertThat(cn.vmOnDisk(v)).containsEntry("nics", List.of());
  }

  @Test
  void machineCreate_withoutUuid_crashes() throws Exception {
    Map<String, Object> p = minimal(newUuid());
    p.remove("uuid");

    CnAgentHarness.Answer a = cn.call("machine_create", p);

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.json()).containsOnlyKeys("error");
    assertThat((String) a.json().get("error")).matches(CRASH);
  }

  @Test
  void machineCreate_history_hasTheFiveStepsInOrder() throws Exception {
    String v = newUuid();
    assertThat(cn.call("machine_create", minimal(v)).status()).isEqualTo(200);

    Map<String, Object> entry = cn.history().stream()
        .filter(e -> e.get("task").equals("machine_create") && v.equals(((Map<?, ?>) e.get("params")).get("uuid")))
        .findFirst().orElseThrow();

    assertThat(entry).containsEntry("status", "finished").containsEntry("errorCount", 0);
    assertThat(CnAgentHarness.messageNames(entry)).containsExactly("progress", "start",
        "start:pre_check", "progress", "end:pre_check",
        "start:ensure_dataset_present", "progress", "end:ensure_dataset_present",
        "start:fetch_dataset", "progress", "end:fetch_dataset",
        "start:build_payload", "progress", "end:build_payload",
        "start:create_machine", "progress", "end:create_machine",
        "finish");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> msgs = (List<Map<String, Object>>) entry.get("messages");
    assertThat(msgs.stream().filter(m -> m.get("name").equals("progress")).map(m -> (Object) ((Map<?, ?>) m.get("event")).get("value")).toList())
        .containsExactly(0, 20, 30, 50, 60, 100);
    @SuppressWarnings("unchecked")
    Map<String, Object> start = (Map<String, Object>) msgs.get(2).get("event");
    assertThat(List.copyOf(start.keySet())).containsExactly("timestamp", "description");
    assertThat(start.get("description")).isEqualTo("Performing pre-flight sanity check");
    assertThat((String) start.get("timestamp")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(Files.exists(cn.options.tmpDir().resolve("machine-provision-" + v))).isFalse();
  }
}
