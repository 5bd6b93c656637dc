package com.joyent.mockcloud.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VMAPI's actions that change a VM, as jobs against the sandbox with one mock CN: update
 * (and a resize past the server's RAM), the three snapshot actions, reprovision, and
 * add/update/remove NICs. Each is checked where a client would look: the job's name, execution
 * and chain, the VM in VMAPI afterwards, and the NICs in NAPI.
 */
class VmapiVmChangesEndToEndTest {
  private static final String OTHER_IMAGE = "fd2cc906-8938-11e3-beab-4359c665ac99";
  @TempDir Path tmp;
  private SandboxFleet fleet;
  private Sandbox sandbox;
  private VmapiCalls calls;

  @BeforeEach
  void setUp() throws Exception {
    fleet = new SandboxFleet(tmp);
    sandbox = fleet.sandbox;
    calls = new VmapiCalls(sandbox.vmapiUrl(), sandbox.adminUuid());
    UUID server = fleet.createServer();
    fleet.start();
    fleet.awaitHeartbeat(server);
  }

  @AfterEach
  void tearDown() {
    fleet.close();
  }

  @Test
  @SuppressWarnings("unchecked")
  void update_changesTheVmOnItsCn_andReplacesMetadataAndTags() throws Exception {
    String vm = calls.provision(calls.createBody("web0"));
    calls.action(vm, "update", Map.of("tags", Map.of("role", "web", "tier", 1), "customer_metadata",
        Map.of("a", "1", "b", "2")));

    Map<String, Object> job = calls.action(vm, "update", Map.of("alias", "web1", "ram", "512",
        "customer_metadata", Map.of("a", "one"), "tags", Map.of("role", "db")));
    assertThat(job).containsEntry("name", "update-7.1.10").containsEntry("execution", "succeeded")
        .containsEntry("timeout", 300);
    assertThat(VmapiCalls.names(job)).containsExactly("common.validate_params", "common.setup_request",
        "cnapi.update_vm", "cnapi.wait_task", "vmapi.put_vm", "fwapi.update");
    Map<String, Object> params = (Map<String, Object>) job.get("params");
    assertThat(params).containsEntry("task", "update").containsEntry("subtask", "resize")
        .containsEntry("current_ram", 256);
    assertThat((Map<String, Object>) params.get("payload")).containsEntry("ram", 512)
        .containsEntry("set_customer_metadata", Map.of("a", "one"))
        .containsEntry("remove_customer_metadata", List.of("b"))
        .containsEntry("set_tags", Map.of("role", "db")).containsEntry("remove_tags", List.of("tier"));

    Map<String, Object> after = calls.vm(vm);
    assertThat(after).containsEntry("alias", "web1").containsEntry("max_physical_memory", 512)
        .containsEntry("customer_metadata", Map.of("a", "one")).containsEntry("tags", Map.of("role", "db"))
        .containsEntry("state", "running");
  }

  @Test
  void resizePastTheServersRam_isRefused_andNoJobStarts() throws Exception {
    String vm = calls.provision(calls.createBody("big"));
    int jobs = calls.send("GET", "/jobs", null).array().size();
    VmapiCalls.Reply r = calls.send("POST", "/vms/" + vm + "?action=update", Map.of("ram", 100_000_000));
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.object()).containsEntry("code", "ValidationFailed")
        .containsEntry("message", "Invalid VM update parameters");
    assertThat(r.object().get("errors").toString()).contains("InsufficientCapacity", "Required additional RAM");
    assertThat(calls.send("GET", "/jobs", null).array()).hasSize(jobs);

    VmapiCalls.Reply taken = calls.send("POST", "/vms/" + calls.provision(calls.createBody("dup")) + "?action=update",
        Map.of("alias", "big"));
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.object()).containsEntry("errors", List.of(Map.of("field", "alias", "code", "Duplicate",
        "message", "Already exists for this owner_uuid")));
    assertThat(calls.vm(vm)).containsEntry("max_physical_memory", 256);
  }

  @Test
  @SuppressWarnings("unchecked")
  void snapshots_createRollBackAndDelete_asTheirWorkflows() throws Exception {
    String vm = calls.provision(calls.createBody("snappy"));
    Map<String, Object> created = calls.action(vm, "create_snapshot", Map.of("snapshot_name", "before"));
    assertThat(created).containsEntry("name", "snapshot-7.0.4").containsEntry("execution", "succeeded");
    assertThat(VmapiCalls.names(created)).containsExactly("common.validate_params", "common.validate_snapshot_name",
        "common.setup_request", "cnapi.snapshot_vm", "cnapi.wait_task", "vmapi.put_vm");
    assertThat(((Map<String, Object>) created.get("params"))).containsEntry("task", "snapshot")
        .containsEntry("snapshot_name", "before");
    assertThat((List<Map<String, Object>>) calls.vm(vm).get("snapshots")).extracting(s -> s.get("name"))
        .containsExactly("before");

    Map<String, Object> unnamed = calls.action(vm, "create_snapshot", Map.of());
    String name = (String) ((Map<String, Object>) unnamed.get("params")).get("snapshot_name");
    assertThat(name).matches("\\d{8}T\\d{6}Z");

    Map<String, Object> rolled = calls.action(vm, "rollback_snapshot", Map.of("snapshot_name", "before"));
    assertThat(rolled).containsEntry("name", "rollback-7.0.5").containsEntry("execution", "succeeded");
    assertThat(VmapiCalls.names(rolled)).containsExactly("common.validate_params", "common.validate_snapshot_name",
        "common.setup_stop_request", "cnapi.stop_vm", "cnapi.poll_stop_task", "common.setup_rollback_request",
        "cnapi.rollback_vm", "cnapi.poll_rollback_task", "vmapi.put_vm");
    assertThat(((List<Map<String, Object>>) rolled.get("chain_results")).get(2)).containsEntry("result",
        "Stop request has been setup");
    // zfs rollback -r, as vmadm does it: the later snapshot is gone with the rollback.
    assertThat((List<Map<String, Object>>) calls.vm(vm).get("snapshots")).extracting(s -> s.get("name"))
        .containsExactly("before");

    Map<String, Object> deleted = calls.action(vm, "delete_snapshot", Map.of("snapshot_name", "before"));
    assertThat(deleted).containsEntry("name", "delete-snapshot-7.0.4").containsEntry("execution", "succeeded");
    assertThat((List<Map<String, Object>>) calls.vm(vm).get("snapshots")).isEmpty();

    // cn-agent takes deleting a missing snapshot as done; rolling back to one fails the job.
    assertThat(calls.action(vm, "delete_snapshot", Map.of("snapshot_name", "nosuch"))).containsEntry("execution",
        "succeeded");
    Map<String, Object> missing = calls.action(vm, "rollback_snapshot", Map.of("snapshot_name", "nosuch"));
    assertThat(missing).containsEntry("execution", "failed");
    assertThat(VmapiCalls.lastResult(missing)).containsEntry("name", "cnapi.poll_rollback_task");
    assertThat((String) VmapiCalls.lastResult(missing).get("error")).contains("No snapshot named \"nosuch\"");
  }

  @Test
  void reprovision_putsTheNewImageOnTheVm() throws Exception {
    String vm = calls.provision(calls.createBody("again"));
    Map<String, Object> job = calls.action(vm, "reprovision", Map.of("image_uuid", OTHER_IMAGE));
    assertThat(job).containsEntry("name", "reprovision-7.0.4").containsEntry("execution", "succeeded");
    assertThat(VmapiCalls.names(job)).containsExactly("common.validate_params", "common.setup_request",
        "cnapi.reprovision_vm", "cnapi.wait_task", "vmapi.put_vm");
    assertThat(calls.vm(vm)).containsEntry("image_uuid", OTHER_IMAGE);
  }

  @Test
  @SuppressWarnings("unchecked")
  void nics_addUpdateAndRemove_inNapiAndOnTheCn() throws Exception {
    String vm = calls.provision(calls.createBody("multi"));
    String first = (String) ((List<Map<String, Object>>) calls.vm(vm).get("nics")).get(0).get("mac");

    Map<String, Object> added = calls.action(vm, "add_nics", Map.of("networks", List.of("admin")));
    assertThat(added).containsEntry("name", "add-nics-7.3.1").containsEntry("execution", "succeeded");
    assertThat(VmapiCalls.names(added)).containsExactly("common.validate_params", "common.setup_request",
        "common.update_network_params", "cnapi.update_vm", "cnapi.wait_task", "vmapi.check_updated",
        "vmapi.put_vm", "fwapi.update");
    List<Map<String, Object>> nics = (List<Map<String, Object>>) calls.vm(vm).get("nics");
    assertThat(nics).hasSize(2);
    String second = (String) nics.stream().filter(n -> !first.equals(n.get("mac"))).findFirst().orElseThrow()
        .get("mac");
    assertThat(sandbox.napi().nics().find(second)).containsEntry("belongs_to_uuid", vm)
        .containsEntry("primary", false);

    Map<String, Object> updated = calls.action(vm, "update_nics", Map.of("nics", List.of(Map.of("mac", second,
        "primary", true))));
    assertThat(updated).containsEntry("name", "update-nics-7.0.5").containsEntry("execution", "succeeded");
    assertThat(sandbox.napi().nics().find(second)).containsEntry("primary", true);
    assertThat((List<Map<String, Object>>) calls.vm(vm).get("nics")).filteredOn(n -> second.equals(n.get("mac")))
        .singleElement().satisfies(n -> assertThat(n).containsEntry("primary", true));

    Map<String, Object> removed = calls.action(vm, "remove_nics", Map.of("macs", List.of(first)));
    assertThat(removed).containsEntry("name", "remove-nics-7.0.7").containsEntry("execution", "succeeded");
    assertThat(VmapiCalls.names(removed)).containsExactly("common.validate_params", "common.setup_request",
        "common.remove_network_params", "cnapi.update_vm", "napi.remove_nics", "cnapi.wait_task",
        "vmapi.check_updated", "vmapi.put_vm", "fwapi.update");
    assertThat((List<Map<String, Object>>) calls.vm(vm).get("nics")).extracting(n -> n.get("mac"))
        .containsExactly(second);
    assertThat(sandbox.napi().nics().find(first)).isNull();

    VmapiCalls.Reply unknown = calls.send("POST", "/vms/" + vm + "?action=add_nics",
        Map.of("macs", List.of("90:b8:d0:ff:ff:ff")));
    assertThat(unknown.status()).isEqualTo(404);
  }
}
