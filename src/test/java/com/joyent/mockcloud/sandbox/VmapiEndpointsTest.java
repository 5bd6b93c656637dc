package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.testing.TestClock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VmapiEndpointsTest {
  private static final String CN = Fixtures.CN_A;
  private static final String VM = Fixtures.VM_1;
  private static final String VM2 = "608696f3-a9ca-4d58-9392-f5faee4f9b3e";
  private final TestClock clock = TestClock.frozen();
  private Sandbox sandbox;
  private String vmapi;

  @BeforeEach
  void start() {
    sandbox = Sandbox.start(SandboxOptions.defaults().withClock(clock));
    vmapi = sandbox.vmapiUrl();
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void putVm_answersNormalizedSparseVm() {
    TestHttp.Reply r = TestHttp.put(vmapi + "/vms/" + VM, Fixtures.vm(VM, CN, "running"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.object()).containsEntry("uuid", VM).containsEntry("state", "running")
        .containsEntry("server_uuid", CN).containsEntry("pid", 95683)
        .containsEntry("last_modified", "2025-11-25T09:54:10.000Z")
        .doesNotContainKeys("zonename", "datacenter_name", "ram", "nics");
  }

  @Test
  void getVm_fillsVmapiDefaults() {
    TestHttp.put(vmapi + "/vms/" + VM, Fixtures.vm(VM, CN, "running"));
    TestHttp.Reply r = TestHttp.get(vmapi + "/vms/" + VM);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.object()).containsEntry("nics", List.of()).containsEntry("snapshots", List.of())
        .containsEntry("tags", Map.of()).containsEntry("customer_metadata", Map.of())
        .containsEntry("firewall_enabled", false).containsEntry("ram", 128).containsEntry("destroyed", null)
        .containsEntry("image_uuid", "cccccccc-0000-4000-8000-000000000001");
    assertThat(sandbox.vmapi().vms().get(VM)).isEqualTo(r.object());
  }

  @Test
  void getVm_missingOrInvalid_is404OrValidationFailed() {
    TestHttp.Reply missing = TestHttp.get(vmapi + "/vms/" + VM);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body()).isEqualTo("{\"code\":\"ResourceNotFound\",\"message\":\"VM not found\"}");
    TestHttp.Reply invalid = TestHttp.get(vmapi + "/vms/nope");
    assertThat(invalid.status()).isEqualTo(409);
    assertThat(invalid.body()).isEqualTo("{\"code\":\"ValidationFailed\",\"message\":\"Invalid Parameters\","
        + "\"errors\":[{\"field\":\"uuid\",\"code\":\"Invalid\",\"message\":\"Invalid UUID\"}]}");
  }

  @Test
  void putVm_destroyed_marksDestroyed_provisioningBecomesFailed() {
    TestHttp.put(vmapi + "/vms/" + VM, Fixtures.vm(VM, CN, "running"));
    Map<String, Object> gone = TestHttp.put(vmapi + "/vms/" + VM, Fixtures.vm(VM, CN, "destroyed")).object();
    assertThat(gone).containsEntry("state", "destroyed").containsEntry("zone_state", "destroyed")
        .containsEntry("destroyed", "2026-11-25T10:00:00.000Z");

    TestHttp.put(vmapi + "/vms/" + VM2, Fixtures.vm(VM2, CN, "provisioning"));
    Map<String, Object> failed = TestHttp.put(vmapi + "/vms/" + VM2, Fixtures.vm(VM2, CN, "destroyed")).object();
    assertThat(failed).containsEntry("state", "failed").containsEntry("zone_state", "failed");
  }

  @Test
  void putVm_uppercaseUuid_isValidationFailed() {
    TestHttp.Reply r = TestHttp.put(vmapi + "/vms/" + VM.toUpperCase(), Fixtures.vm(VM, CN, "running"));
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.errorFields()).containsExactly("uuid");
  }

  @Test
  void listVms_filtersServerAndActiveState_withResourceCount() {
    TestHttp.put(vmapi + "/vms/" + VM, Fixtures.vm(VM, CN, "running"));
    TestHttp.put(vmapi + "/vms/" + VM2, Fixtures.vm(VM2, CN, "stopped"));
    TestHttp.put(vmapi + "/vms/" + VM2, Fixtures.vm(VM2, CN, "destroyed"));
    TestHttp.put(vmapi + "/vms/aaaaaaaa-0000-4000-8000-000000000003",
        Fixtures.vm("aaaaaaaa-0000-4000-8000-000000000003", Fixtures.CN_B, "running"));

    TestHttp.Reply active = TestHttp.get(vmapi + "/vms?server_uuid=" + CN + "&state=active");
    assertThat(active.status()).isEqualTo(200);
    assertThat(active.array()).extracting(v -> v.get("uuid")).containsExactly(VM);
    assertThat(active.header("x-joyent-resource-count")).isEqualTo("1");
    assertThat(TestHttp.get(vmapi + "/vms?server_uuid=" + CN).array()).hasSize(2);
    assertThat(TestHttp.get(vmapi + "/vms?state=destroyed").array()).extracting(v -> v.get("uuid"))
        .containsExactly(VM2);
    assertThat(TestHttp.get(vmapi + "/vms?limit=1").array()).hasSize(1);
    assertThat(TestHttp.get(vmapi + "/vms?fields=uuid,state&uuid=" + VM).array())
        .containsExactly(Map.of("uuid", VM, "state", "running"));
  }

  @Test
  void listVms_badParams_areValidationFailed() {
    TestHttp.Reply r = TestHttp.get(vmapi + "/vms?server_uuid=nope&state=sleeping&colour=red&limit=5000");
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.object()).containsEntry("code", "ValidationFailed").containsEntry("message", "Invalid Parameters");
    assertThat(r.errorFields()).containsExactlyInAnyOrder("colour", "server_uuid", "state", "limit");
  }

  @Test
  void putVms_bulk_writesEachAndAnswers200Empty() {
    Map<String, Object> vms = new LinkedHashMap<>();
    vms.put(VM, Fixtures.vm(VM, CN, "running"));
    vms.put(VM2, Fixtures.vm(VM2, CN, "destroyed"));
    TestHttp.Reply r = TestHttp.put(vmapi + "/vms?server_uuid=" + CN, Map.of("vms", vms));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(sandbox.vmapi().vms().get(VM)).containsEntry("state", "running");
    // Bulk writes take values as they are: no destroyed special case (triton-apis.md §3.2).
    assertThat(sandbox.vmapi().vms().get(VM2)).containsEntry("state", "destroyed").containsEntry("destroyed", null);
  }

  @Test
  void putVms_missingOrBadParams_areValidationFailed() {
    TestHttp.Reply none = TestHttp.put(vmapi + "/vms", Map.of());
    assertThat(none.status()).isEqualTo(409);
    assertThat(none.body()).isEqualTo("{\"code\":\"ValidationFailed\",\"message\":\"Invalid Parameters\",\"errors\":["
        + "{\"field\":\"server_uuid\",\"code\":\"MissingParameter\",\"message\":\"Missing parameter\"},"
        + "{\"field\":\"vms\",\"code\":\"MissingParameter\",\"message\":\"Missing parameter\"}]}");
    TestHttp.Reply bad = TestHttp.put(vmapi + "/vms?server_uuid=nope", Map.of("vms", Map.of()));
    assertThat(bad.errorFields()).containsExactly("server_uuid");
  }

  @Test
  void getVmSync_vmGoneFromCn_marksDestroyed() {
    try (FakeCnAgent agent = new FakeCnAgent()) {
      TestHttp.post(sandbox.cnapiUrl() + "/servers/" + CN + "/sysinfo",
          Map.of("sysinfo", Fixtures.sysinfo(CN, agent.ip(), agent.port())));
      agent.answer("machine_load", 500, Map.of("error", "vmadm.load error: No such zone",
          "details", Map.of("restCode", "VmNotFound")));
      TestHttp.put(vmapi + "/vms/" + VM, Fixtures.vm(VM, CN, "running"));
      TestHttp.Reply r = TestHttp.get(vmapi + "/vms/" + VM + "?sync=true");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.object()).containsEntry("state", "destroyed").containsEntry("zone_state", "destroyed");
    }
  }

  @Test
  void getVmSync_vmPresent_refreshesFromCn() {
    try (FakeCnAgent agent = new FakeCnAgent()) {
      TestHttp.post(sandbox.cnapiUrl() + "/servers/" + CN + "/sysinfo",
          Map.of("sysinfo", Fixtures.sysinfo(CN, agent.ip(), agent.port())));
      agent.answer("machine_load", 200, Fixtures.vm(VM, CN, "stopped"));
      TestHttp.put(vmapi + "/vms/" + VM, Fixtures.vm(VM, CN, "running"));
      assertThat(TestHttp.get(vmapi + "/vms/" + VM + "?sync=true").object()).containsEntry("state", "stopped");
    }
  }

  @Test
  void getVmSync_serverDeletedFromCnapi_marksDestroyed() {
    TestHttp.put(vmapi + "/vms/" + VM, Fixtures.vm(VM, CN, "running"));
    assertThat(TestHttp.get(vmapi + "/vms/" + VM + "?sync=true").object()).containsEntry("state", "destroyed");
  }

  @Test
  @SuppressWarnings("unchecked")
  void cnapiGetServer_rendersVmsFromVmapi() {
    TestHttp.post(sandbox.cnapiUrl() + "/servers/" + CN + "/sysinfo",
        Map.of("sysinfo", Fixtures.sysinfo(CN, "127.0.0.1", 1)));
    TestHttp.put(vmapi + "/vms/" + VM, Fixtures.vm(VM, CN, "running"));
    Map<String, Object> server = TestHttp.get(sandbox.cnapiUrl() + "/servers/" + CN).object();
    assertThat((Map<String, Object>) server.get("vms")).containsOnlyKeys(VM);
    assertThat(server).containsEntry("unreserved_cpu", 3175); // DAPI counts a quarter of the cpu_cap of 100
  }

  @Test
  void vmActionsWithBadInput_answerAsVmapi_andStartNoJob() {
    TestHttp.put(vmapi + "/vms/" + VM, Fixtures.vm(VM, CN, "running"));
    Map<String, Object[]> cases = new java.util.LinkedHashMap<>();
    cases.put("update", new Object[] {Map.of(), "No VM parameters provided", List.of()});
    cases.put("update ", new Object[] {Map.of("ram", "lots", "autoboot", "yes", "quota", -1),
        "Invalid VM update parameters", List.of(
            Map.of("field", "autoboot", "code", "Invalid", "message", "Invalid parameter"),
            Map.of("field", "quota", "code", "Invalid", "message", "Not a valid number: number must be >= 0"),
            Map.of("field", "ram", "code", "Invalid", "message", "Not a valid number: number must be >= 1"))});
    cases.put("update  ", new Object[] {Map.of("customer_metadata", Map.of("root_pw", "x")),
        "Invalid VM update parameters", List.of(Map.of("field", "customer_metadata.root_pw", "code", "Invalid",
            "message", "Forbidden Metadata Key"))});
    Map<String, Object> nullBoolean = new java.util.HashMap<>();
    nullBoolean.put("autoboot", null);
    cases.put("update   ", new Object[] {nullBoolean, "Invalid VM update parameters",
        List.of(Map.of("field", "autoboot", "code", "Invalid", "message", "Invalid parameter"))});
    // VMAPI collects the later errors into one answer; the VM's own alias counts as taken.
    cases.put("update    ", new Object[] {Map.of("alias", "h1", "new_owner_uuid", "nope"),
        "Invalid VM update parameters", List.of(Map.of("field", "new_owner_uuid", "code", "Invalid",
            "message", "Invalid UUID"), Map.of("field", "alias", "code", "Duplicate",
            "message", "Already exists for this owner_uuid"))});
    cases.put("add_nics", new Object[] {Map.of(), "Invalid Parameters",
        List.of(Map.of("field", "missing networks or macs", "code", "MissingParameter"))});
    cases.put("remove_nics", new Object[] {Map.of(), "Invalid VM update parameters",
        List.of(Map.of("field", "macs", "code", "MissingParameter"))});
    cases.put("update_nics", new Object[] {Map.of("nics", List.of(Map.of("mac", "90:b8:d0:00:00:01", "ip", "1"))),
        "Invalid VM update parameters", List.of(Map.of("field", "nics", "code", "Invalid",
            "message", "'ip' is not a valid property to update"))});
    cases.put("rollback_snapshot", new Object[] {Map.of(), "Invalid Parameters",
        List.of(Map.of("field", "snapshot_name", "code", "MissingParameter"))});
    cases.put("reprovision", new Object[] {Map.of("image_uuid", "nope"), "Invalid Parameters",
        List.of(Map.of("field", "image_uuid", "code", "Invalid", "message", "Invalid UUID"))});
    for (Map.Entry<String, Object[]> c : cases.entrySet()) {
      TestHttp.Reply r = TestHttp.post(vmapi + "/vms/" + VM + "?action=" + c.getKey().trim(), c.getValue()[0]);
      assertThat(r.status()).as(c.getKey()).isEqualTo(409);
      assertThat(r.object()).as(c.getKey()).containsEntry("code", "ValidationFailed")
          .containsEntry("message", c.getValue()[1]).containsEntry("errors", c.getValue()[2]);
    }
    for (String action : List.of("create_disk", "resize_disk", "delete_disk", "migrate")) {
      TestHttp.Reply r = TestHttp.post(vmapi + "/vms/" + VM + "?action=" + action, Map.of());
      assertThat(r.status()).as(action).isEqualTo(501);
      assertThat(r.object()).containsEntry("code", "NotImplementedError");
    }
    assertThat(TestHttp.get(vmapi + "/jobs").array()).isEmpty();
  }
}
