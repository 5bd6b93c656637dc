package com.joyent.mockcloud.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.behaviour.CnBehaviour;
import com.joyent.mockcloud.fleet.Daemon;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VMAPI provisioning and VM actions as jobs against the sandbox with two mock CNs: what a
 * client of VMAPI sees (202 {vm_uuid, job_uuid}, the job's execution and chain_results, the VM
 * in VMAPI, its NICs in NAPI), a failing cn-agent task as a failed job, and traits placement.
 */
class VmapiJobsEndToEndTest {
  @TempDir Path tmp;
  private SandboxFleet fleet;
  private Sandbox sandbox;
  private Daemon daemon;
  private String vmapi;
  private VmapiCalls calls;
  private final List<UUID> servers = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    fleet = new SandboxFleet(tmp);
    sandbox = fleet.sandbox;
    vmapi = sandbox.vmapiUrl();
    calls = new VmapiCalls(vmapi, sandbox.adminUuid());
    for (int i = 0; i < 2; i++) {
      servers.add(fleet.createServer());
    }
    daemon = fleet.start();
    for (UUID s : servers) {
      fleet.awaitHeartbeat(s);
    }
  }

  @AfterEach
  void tearDown() {
    fleet.close();
  }

  @Test
  @SuppressWarnings("unchecked")
  void provisionStopStartDelete_asJobs_withTheVmInVmapiAndItsNicInNapi() throws Exception {
    VmapiCalls.Reply created = calls.send("POST", vmapi + "/vms", calls.createBody("web0"));
    assertThat(created.status()).isEqualTo(202);
    assertThat(created.object()).containsOnlyKeys("vm_uuid", "job_uuid");
    assertThat(created.raw().headers().firstValue("workflow-api")).contains(vmapi);
    String vm = (String) created.object().get("vm_uuid");
    String jobUuid = (String) created.object().get("job_uuid");

    Map<String, Object> job = calls.finished(jobUuid);
    assertThat(job).containsOnlyKeys("name", "uuid", "execution", "params", "exec_after", "created_at", "timeout",
        "chain_results").containsEntry("name", "provision-8.2.4").containsEntry("execution", "succeeded")
        .containsEntry("timeout", 3810);
    assertThat(VmapiCalls.names(job)).containsExactly("common.validate_params", "workflow.set_job_action", "cnapi.ensure_image",
        "cnapi.wait_task_ensure_image", "prepare_payload", "cnapi.provision_vm", "cnapi.wait_task", "vmapi.put_vm",
        "fwapi.update");
    assertThat((Map<String, Object>) job.get("params")).containsEntry("task", "provision").containsEntry("vm_uuid", vm);

    Map<String, Object> running = calls.vm(vm);
    assertThat(running).containsEntry("state", "running").containsEntry("alias", "web0")
        .containsEntry("max_physical_memory", 256);
    assertThat(servers.stream().map(UUID::toString)).contains((String) running.get("server_uuid"));
    List<Map<String, Object>> nics = (List<Map<String, Object>>) running.get("nics");
    assertThat(nics).hasSize(1);
    String mac = (String) nics.get(0).get("mac");
    assertThat(sandbox.napi().nics().find(mac)).containsEntry("belongs_to_uuid", vm)
        .containsEntry("belongs_to_type", "zone").containsEntry("cn_uuid", running.get("server_uuid"));
    assertThat(nics.get(0).get("ip")).isNotEqualTo("10.99.0.11");

    // stop, then stop again: VMAPI takes it, the job fails in ensure_vm_state.
    VmapiCalls.Reply stop = calls.send("POST", vmapi + "/vms/" + vm + "?action=stop", Map.of());
    assertThat(stop.status()).isEqualTo(202);
    assertThat(calls.finished((String) stop.object().get("job_uuid"))).containsEntry("name", "stop-7.0.8")
        .containsEntry("execution", "succeeded");
    assertThat(calls.vm(vm)).containsEntry("state", "stopped");
    String again = (String) calls.send("POST", vmapi + "/vms/" + vm + "?action=stop", Map.of()).object().get("job_uuid");
    Map<String, Object> failed = calls.finished(again);
    assertThat(failed).containsEntry("execution", "failed");
    assertThat(VmapiCalls.lastResult(failed)).containsEntry("name", "common.ensure_vm_state").containsEntry("result", "")
        .containsEntry("error", Map.of("name", "Error", "message", "Cannot stop a VM from a 'stopped' state"));
    VmapiCalls.Reply waited = calls.send("GET", vmapi + "/jobs/" + again + "/wait", null);
    assertThat(waited.status()).isEqualTo(500);
    assertThat((String) waited.object().get("message")).isEqualTo("job stop-7.0.8 (" + again
        + ") failed: common.ensure_vm_state: Cannot stop a VM from a 'stopped' state");

    VmapiCalls.Reply start = calls.send("POST", vmapi + "/vms/" + vm + "?action=start&sync=true", Map.of());
    assertThat(start.status()).isEqualTo(202);
    assertThat(calls.vm(vm)).containsEntry("state", "running");

    VmapiCalls.Reply delete = calls.send("DELETE", vmapi + "/vms/" + vm, null);
    assertThat(delete.status()).isEqualTo(202);
    assertThat(calls.finished((String) delete.object().get("job_uuid"))).containsEntry("name", "destroy-7.1.6")
        .containsEntry("execution", "succeeded");
    assertThat(calls.vm(vm)).containsEntry("state", "destroyed");
    assertThat(sandbox.napi().nics().find(mac)).isNull();
    assertThat(Files.exists(tmp.resolve("servers/" + running.get("server_uuid") + "/vms/" + vm + ".json"))).isFalse();

    List<Map<String, Object>> vmJobs = calls.send("GET", vmapi + "/vms/" + vm + "/jobs", null).array();
    assertThat(vmJobs).extracting(j -> j.get("name")).containsExactly("destroy-7.1.6", "start-7.0.8", "stop-7.0.8",
        "stop-7.0.8", "provision-8.2.4");
    assertThat(calls.send("GET", vmapi + "/jobs?task=stop&vm_uuid=" + vm + "&execution=failed", null).array())
        .extracting(j -> j.get("uuid")).containsExactly(again);
  }

  @Test
  void badRequests_answerAsVmapi_andChangeNothing() throws Exception {
    VmapiCalls.Reply bare = calls.send("POST", vmapi + "/vms", Map.of("owner_uuid", sandbox.adminUuid()));
    assertThat(bare.status()).isEqualTo(409);
    assertThat(bare.object()).containsEntry("code", "ValidationFailed").containsEntry("message", "Invalid VM parameters")
        .containsEntry("errors", List.of(Map.of("field", "brand", "code", "MissingParameter"),
            Map.of("field", "networks", "code", "MissingParameter"), Map.of("field", "ram", "code", "MissingParameter"),
            Map.of("field", "image_uuid", "code", "MissingParameter")));
    Map<String, Object> body = calls.createBody("x");
    body.put("networks", List.of("nosuchnet"));
    VmapiCalls.Reply net = calls.send("POST", vmapi + "/vms", body);
    assertThat(net.status()).isEqualTo(422);
    assertThat(net.object()).isEqualTo(Map.of("code", "UnprocessableEntityError",
        "message", "No such Network or Pool with id/name: \"nosuchnet\""));
    assertThat(sandbox.vmapi().vms().size()).isZero();
    assertThat(calls.send("GET", vmapi + "/jobs", null).array()).isEmpty();

    String vm = calls.provision(calls.createBody("a0"));
    VmapiCalls.Reply noAction = calls.send("POST", vmapi + "/vms/" + vm, Map.of());
    assertThat(noAction.status()).isEqualTo(409);
    assertThat(noAction.object()).containsEntry("errors", List.of(Map.of("field", "action", "code",
        "MissingParameter")));
    assertThat(calls.send("POST", vmapi + "/vms/" + vm + "?action=dance", Map.of()).object()).containsEntry("errors",
        List.of(Map.of("field", "action", "code", "Invalid", "message", "Invalid parameter")));
    assertThat(calls.send("POST", vmapi + "/vms/" + vm + "?action=start&idempotent=false", Map.of()).object())
        .containsEntry("errors", List.of(Map.of("field", "idempotent", "code", "Invalid", "message",
            "Invalid parameter")));
    assertThat(calls.send("POST", vmapi + "/vms/" + vm + "?action=stop&owner_uuid=" + UUID.randomUUID(), Map.of())
        .status()).isEqualTo(404);
    VmapiCalls.Reply dup = calls.send("POST", vmapi + "/vms", calls.createBody("a0"));
    assertThat(dup.object()).containsEntry("errors", List.of(Map.of("field", "alias", "code", "Duplicate",
        "message", "Already exists for this owner_uuid")));

    String pending = UUID.randomUUID().toString();
    calls.send("PUT", vmapi + "/vms/" + pending, Map.of("uuid", pending, "state", "provisioning",
        "owner_uuid", sandbox.adminUuid(), "brand", "joyent"));
    assertThat(calls.send("POST", vmapi + "/vms/" + pending + "?action=start", Map.of()).object()).isEqualTo(Map.of(
        "code", "UnallocatedVM", "message", "Cannot call start for a VM that has not been provisioned yet"));
    assertThat(calls.send("DELETE", vmapi + "/vms/" + pending, null).object()).isEqualTo(Map.of("code", "Conflict",
        "message", "Cannot delete a VM with no server_uuid"));
    assertThat(calls.send("GET", vmapi + "/jobs/" + pending, null).object()).isEqualTo(Map.of("code", "ResourceNotFound",
        "message", "Job with uuid '" + pending + "' does not exist"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void aNetworkPoolByName_givesTheVmANicOnOneOfItsNetworks() throws Exception {
    VmapiCalls.Reply pool = calls.send("POST", sandbox.napiUrl() + "/network_pools", Map.of("name", "admin-pool",
        "networks", List.of(sandbox.napi().adminNetworkUuid())));
    assertThat(pool.status()).isEqualTo(200);
    Map<String, Object> body = calls.createBody("pooled");
    body.put("networks", List.of("admin-pool"));
    Map<String, Object> nic = ((List<Map<String, Object>>) calls.vm(calls.provision(body)).get("nics")).get(0);
    assertThat(nic).containsEntry("network_uuid", sandbox.napi().adminNetworkUuid());
  }

  @Test
  void aFailingMachineCreate_isAFailedJob_andAFailedVm() throws Exception {
    Files.writeString(tmp.resolve("behaviour.json"),
        "{\"tasks\": {\"machine_create\": {\"fail_rate\": 1, \"error\": \"no space left on device\"}}}");
    for (UUID s : servers) {
      CnBehaviour b = daemon.fleet().running().get(s).cnAgent().context().behaviour();
      Await.require(Duration.ofSeconds(5), () -> b.current().task("machine_create") != null, "the behaviour");
    }
    VmapiCalls.Reply r = calls.send("POST", vmapi + "/vms", calls.createBody("doomed"));
    Map<String, Object> job = calls.finished((String) r.object().get("job_uuid"));
    assertThat(job).containsEntry("execution", "failed");
    assertThat(VmapiCalls.lastResult(job)).containsEntry("name", "cnapi.wait_task").containsEntry("result", "");
    assertThat((String) VmapiCalls.lastResult(job).get("error")).contains("no space left on device");
    assertThat(calls.vm((String) r.object().get("vm_uuid"))).containsEntry("state", "failed");
  }

  @Test
  void traits_keepOrdinaryProvisionsOffATraitedServer_andBringThoseThatAskForThem() throws Exception {
    String mock = servers.get(0).toString();
    assertThat(calls.send("POST", sandbox.cnapiUrl() + "/servers/" + mock, Map.of("traits", Map.of("mockcloud", true)))
        .status()).isEqualTo(204);
    for (int i = 0; i < 3; i++) {
      assertThat(calls.vm(calls.provision(calls.createBody("plain" + i))).get("server_uuid")).isEqualTo(servers.get(1).toString());
    }
    Map<String, Object> asking = calls.createBody("asks");
    asking.put("traits", Map.of("mockcloud", true));
    assertThat(calls.vm(calls.provision(asking)).get("server_uuid")).isEqualTo(mock);

    assertThat(calls.send("POST", sandbox.cnapiUrl() + "/servers/" + servers.get(1), Map.of("traits",
        Map.of("ssd", true))).status()).isEqualTo(204);
    VmapiCalls.Reply none = calls.send("POST", vmapi + "/vms", calls.createBody("nowhere"));
    assertThat(none.status()).isEqualTo(409);
    assertThat(none.object()).containsEntry("code", "NoAllocatableServersError");
    assertThat((String) none.object().get("message")).startsWith("No compute resources available: ");
  }
}
