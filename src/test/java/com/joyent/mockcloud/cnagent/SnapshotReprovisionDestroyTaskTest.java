package com.joyent.mockcloud.cnagent;

import static com.joyent.mockcloud.cnagent.MachineLifecycleTaskTest.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.testing.ManualTimer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conformance cases 49–56 of spec cn-agent.md §7: the snapshot tasks, machine_reprovision
 * and machine_destroy (with its wait for the provision lock). One CN for the class.
 */
class SnapshotReprovisionDestroyTaskTest {
  static final String I2 = "2b683a82-a066-11e3-97ab-2faa44701c5a";
  static final String ISO_MS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

  @TempDir static Path tmp;
  static CnAgentHarness cn;

  @BeforeAll
  static void startCn() throws Exception {
    // Provision lock polled every 200 ms instead of 1 s, so case 56 needs no long wait.
    cn = new CnAgentHarness(tmp, new RecordingCnapi(),
        CnAgentHarness.fastOptions(tmp, java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(60)))
        .awaitRegistered();
  }

  @AfterAll
  static void stopCn() {
    cn.close();
  }

  static String createVm() throws Exception {
    String v = UUID.randomUUID().toString();
    assertThat(cn.call("machine_create", MachineCreateTaskTest.minimal(v)).status()).isEqualTo(200);
    return v;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> snapshots(Map<String, Object> vm) {
    return (List<Map<String, Object>>) vm.get("snapshots");
  }

  @Test
  void machineCreateSnapshot_appendsCreatedAtAndName_duplicateNameIsRefused() throws Exception {
    String v = createVm();

    CnAgentHarness.Answer first = cn.call("machine_create_snapshot", params("uuid", v, "snapshot_name", "s1"));
    CnAgentHarness.Answer again = cn.call("machine_create_snapshot", params("uuid", v, "snapshot_name", "s1"));

    assertThat(first.status()).isEqualTo(200);
    List<Map<String, Object>> snaps = snapshots(first.vm());
    assertThat(snaps).hasSize(1);
    assertThat(List.copyOf(snaps.get(0).keySet())).containsExactly("created_at", "name");
    assertThat(snaps.get(0)).containsEntry("name", "s1");
    assertThat((String) snaps.get(0).get("created_at")).matches(ISO_MS);
    // Deviation D15: a duplicate name is refused (the reference appends a second "s1").
    assertThat(again.status()).isEqualTo(500);
    assertThat(again.body()).isEqualTo("{\"error\":\"vmadm.create_snapshot error: snapshot \\\"s1\\\" already exists for "
        + v + "\",\"req_id\":\"" + again.requestId() + "\"}");
    assertThat(snapshots(cn.vmOnDisk(v))).hasSize(1);
  }

  @Test
  void machineCreateSnapshot_unknownVm_failsWithVmNotFound() throws Exception {
    String u = UUID.randomUUID().toString();

    CnAgentHarness.Answer a = cn.call("machine_create_snapshot", params("uuid", u, "snapshot_name", "s1"));

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.body()).isEqualTo(MachineLifecycleTaskTest.notFound("vmadm.create_snapshot error: ", u, a.requestId()));
  }

  @Test
  void machineDeleteSnapshot_unknownNameIsIdempotent_existingNameIsRemoved() throws Exception {
    String v = createVm();
    cn.call("machine_create_snapshot", params("uuid", v, "snapshot_name", "s1"));
    Map<String, Object> before = cn.vmOnDisk(v);

    CnAgentHarness.Answer nope = cn.call("machine_delete_snapshot", params("uuid", v, "snapshot_name", "nope"));

    assertThat(nope.status()).isEqualTo(200);
    assertThat(snapshots(nope.vm())).extracting(s -> s.get("name")).containsExactly("s1");
    assertThat(cn.vmOnDisk(v)).isEqualTo(before);

    CnAgentHarness.Answer s1 = cn.call("machine_delete_snapshot", params("uuid", v, "snapshot_name", "s1"));

    assertThat(s1.status()).isEqualTo(200);
    assertThat(snapshots(s1.vm())).isEmpty();
    assertThat(snapshots(cn.vmOnDisk(v))).isEmpty();
  }

  @Test
  void machineRollbackSnapshot_runningVm_dropsNewerSnapshotsAndKeepsRunning() throws Exception {
    String v = createVm();
    cn.call("machine_create_snapshot", params("uuid", v, "snapshot_name", "s1"));
    String s1At = (String) snapshots(cn.vmOnDisk(v)).get(0).get("created_at");
    // created_at has millisecond resolution: make sure s2 is strictly later.
    Await.until(java.time.Duration.ofSeconds(1), () -> !JsValues.isoString(java.time.Instant.now()).equals(s1At));
    cn.call("machine_create_snapshot", params("uuid", v, "snapshot_name", "s2"));

    CnAgentHarness.Answer a = cn.call("machine_rollback_snapshot", params("uuid", v, "snapshot_name", "s1"));

    assertThat(a.status()).isEqualTo(200);
    assertThat(snapshots(a.vm())).extracting(s -> s.get("name")).containsExactly("s1");
    assertThat(a.vm()).containsEntry("state", "running").containsEntry("autoboot", true);
    assertThat(cn.vmOnDisk(v)).containsEntry("state", "running");
  }

  @Test
  void machineRollbackSnapshot_unknownName_failsWithoutDetails() throws Exception {
    String v = createVm();

    CnAgentHarness.Answer a = cn.call("machine_rollback_snapshot", params("uuid", v, "snapshot_name", "nope"));

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.body()).isEqualTo("{\"error\":\"vmadm.rollback_snapshot error: No snapshot named \\\"nope\\\" for "
        + v + "\",\"req_id\":\"" + a.requestId() + "\"}");
  }

  @Test
  void machineReprovision_setsImageKeepsStateAndReleasesTheLock() throws Exception {
    String running = createVm();
    String stopped = createVm();
    cn.call("machine_shutdown", Map.of("uuid", stopped));

    CnAgentHarness.Answer r1 = cn.call("machine_reprovision", params("uuid", running, "image_uuid", I2));
    CnAgentHarness.Answer r2 = cn.call("machine_reprovision", params("uuid", stopped, "image_uuid", I2));

    assertThat(r1.status()).isEqualTo(200);
    assertThat(r1.vm()).containsEntry("image_uuid", I2).containsEntry("state", "running")
        .containsEntry("zone_state", "running");
    assertThat(r2.status()).isEqualTo(200);
    assertThat(r2.vm()).containsEntry("image_uuid", I2).containsEntry("state", "stopped");
    assertThat(cn.vmOnDisk(running)).containsEntry("image_uuid", I2).containsEntry("state", "running")
        .doesNotContainKey("zone_state");
    assertThat(Files.exists(cn.options.tmpDir().resolve("machine-provision-" + running))).isFalse();
    assertThat(Files.exists(cn.options.tmpDir().resolve("machine-provision-" + stopped))).isFalse();
    Map<String, Object> entry = cn.history().stream().filter(e -> e.get("task").equals("machine_reprovision")
        && running.equals(((Map<?, ?>) e.get("params")).get("uuid"))).findFirst().orElseThrow();
    assertThat(CnAgentHarness.messageNames(entry)).containsExactly("progress", "start",
        "start:pre_check", "progress", "end:pre_check",
        "start:ensure_dataset_present", "progress", "end:ensure_dataset_present",
        "start:reprovision_machine", "progress", "end:reprovision_machine", "finish");
  }

  @Test
  void machineReprovision_unknownVm_failsWithDoesNotExist() throws Exception {
    String u = UUID.randomUUID().toString();

    CnAgentHarness.Answer a = cn.call("machine_reprovision", params("uuid", u, "image_uuid", I2));

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.body()).isEqualTo("{\"error\":\"VM " + u + " does not exist.\"}");
  }

  @Test
  void machineDestroy_removesTheFile_andIsIdempotent() throws Exception {
    String v = createVm();

    CnAgentHarness.Answer first = cn.call("machine_destroy", Map.of("uuid", v));
    CnAgentHarness.Answer again = cn.call("machine_destroy", Map.of("uuid", v));

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body()).isEqualTo("{}");
    assertThat(Files.exists(cn.vmFile(v))).isFalse();
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body()).isEqualTo("{}");
    assertThat(cn.call("machine_load", Map.of("uuid", v)).status()).isEqualTo(500);
  }

  @Test
  void machineDestroy_waitsForTheProvisionLock(@TempDir Path own) throws Exception {
    ManualTimer time = new ManualTimer();
    try (CnAgentHarness m = CnAgentHarness.onManualTime(own, new RecordingCnapi(),
        CnAgentHarness.fastOptions(own, Duration.ofSeconds(5), Duration.ofSeconds(60)).toBuilder()
            .sysinfoPollInterval(Duration.ofHours(1)).build(), time).awaitRegistered()) { // the lock poll: the only 200 ms timer
      String v = UUID.randomUUID().toString();
      assertThat(m.call("machine_create", MachineCreateTaskTest.minimal(v)).status()).isEqualTo(200);
      Path lock = m.options.tmpDir().resolve("machine-provision-" + v);
      Files.createDirectories(lock.getParent());
      Files.createFile(lock);

      CompletableFuture<CnAgentHarness.Answer> destroy = CompletableFuture.supplyAsync(() -> {
        try {
          return m.call("machine_destroy", Map.of("uuid", v));
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      Await.require(Duration.ofSeconds(5), () -> time.dueIn().contains(m.options.provisionLockPoll()),
          "the destroy to poll the lock");
      // The spec's case: 3 s later the lock is still there and the VM too.
      time.advance(Duration.ofSeconds(3));
      assertThat(destroy).isNotDone();
      assertThat(Files.exists(m.vmFile(v))).isTrue();
      Files.delete(lock);
      time.advance(m.options.provisionLockPoll());
      CnAgentHarness.Answer a = destroy.get(10, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(a.status()).isEqualTo(200);
      assertThat(Files.exists(m.vmFile(v))).isFalse();
    }
  }

  @Test
  void snapshotTasks_unknownVm_failWithTheirPrefixesAndVmNotFound() throws Exception {
    String u = UUID.randomUUID().toString();

    CnAgentHarness.Answer del = cn.call("machine_delete_snapshot", params("uuid", u, "snapshot_name", "s1"));
    CnAgentHarness.Answer rollback = cn.call("machine_rollback_snapshot", params("uuid", u, "snapshot_name", "s1"));

    assertThat(del.status()).isEqualTo(500);
    assertThat(del.body()).isEqualTo(
        MachineLifecycleTaskTest.notFound("vmadm.delete_snapshot error: ", u, del.requestId()));
    assertThat(rollback.status()).isEqualTo(500);
    assertThat(rollback.body()).isEqualTo(
        MachineLifecycleTaskTest.notFound("vmadm.rollback_snapshot error: ", u, rollback.requestId()));
  }

  @Test
  void snapshotAndReprovision_missingRequiredParams_crash() throws Exception {
    String v = createVm();

    CnAgentHarness.Answer noName = cn.call("machine_create_snapshot", Map.of("uuid", v));
    CnAgentHarness.Answer badImage = cn.call("machine_reprovision", params("uuid", v, "image_uuid", "nope"));

    assertThat(noName.status()).isEqualTo(500);
    assertThat((String) noName.json().get("error"))
        .matches("^Child task process machine_create_snapshot did not terminate cleanly\\. \\(.*\\)$");
    assertThat(badImage.status()).isEqualTo(500);
    assertThat((String) badImage.json().get("error"))
        .matches("^Child task process machine_reprovision did not terminate cleanly\\. \\(.*\\)$");
  }

  @Test
  void machineLoad_whileDestroyWaitsForTheProvisionLock_answersAtOnce() throws Exception {
    String v = createVm();
    Path lock = cn.options.tmpDir().resolve("machine-provision-" + v);
    Files.createDirectories(lock.getParent());
    Files.createFile(lock);
    CompletableFuture<CnAgentHarness.Answer> destroy = CompletableFuture.supplyAsync(() -> {
      try {
        return cn.call("machine_destroy", Map.of("uuid", v));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    try {
      Await.require(Duration.ofSeconds(5), () -> cn.agent.activeTasks() == 1, "the destroy to wait for the lock");
      CompletableFuture<CnAgentHarness.Answer> load = CompletableFuture.supplyAsync(() -> {
        try {
          return cn.call("machine_load", Map.of("uuid", v));
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });

      CnAgentHarness.Answer a = load.get(3, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(a.status()).isEqualTo(200);
      assertThat(a.json()).containsEntry("uuid", v);
      assertThat(destroy).isNotDone();
    } finally {
      Files.deleteIfExists(lock);
      destroy.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
