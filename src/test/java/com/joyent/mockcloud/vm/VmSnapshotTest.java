package com.joyent.mockcloud.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec §6 A26–A28 (snapshots, rollback, reprovision) and D15. */
class VmSnapshotTest {
  @TempDir Path root;
  VmFixtures fx;
  RecordingListener events = new RecordingListener();

  @BeforeEach
  void setUp() {
    fx = new VmFixtures(root);
    fx.vms.subscribe(events);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  /** A26. */
  @Test
  void snapshots_createThreeRollbackToFirstOnRunningVm_thenDelete() {
    String uuid = fx.createMinimal();
    for (String s : List.of("s1", "s2", "s3")) {
      fx.vms.createSnapshot(uuid, s);
      fx.clock.advance(Duration.ofMillis(1000));
    }
    assertThat(snapshots(uuid)).extracting(s -> s.get("name")).containsExactly("s1", "s2", "s3");
    assertThat(snapshots(uuid)).extracting(s -> s.get("created_at"))
        .containsExactly("2024-05-01T12:34:56.789Z", "2024-05-01T12:34:57.789Z", "2024-05-01T12:34:58.789Z");
    events.clear();

    fx.vms.rollbackSnapshot(uuid, "s1");

    assertThat(snapshots(uuid)).extracting(s -> s.get("name")).containsExactly("s1");
    assertThat(fx.onDisk(uuid)).containsEntry("state", "running").containsEntry("autoboot", true);
    assertThat(events.states()).containsExactly("stopped", "stopped", "running");

    fx.vms.deleteSnapshot(uuid, "s1");
    assertThat(fx.onDisk(uuid)).containsEntry("snapshots", List.of());
  }

  @Test
  void rollback_stoppedVm_staysStoppedOneWrite() {
    String uuid = fx.createMinimal();
    fx.vms.createSnapshot(uuid, "s1");
    fx.clock.advance(Duration.ofMillis(5));
    fx.vms.createSnapshot(uuid, "s2");
    fx.vms.stop(uuid);
    events.clear();

    fx.vms.rollbackSnapshot(uuid, "s1");

    assertThat(events.events()).hasSize(1);
    assertThat(fx.vms.load(uuid)).containsEntry("state", "stopped");
  }

  /** A27. */
  @Test
  void deleteOrRollback_missingSnapshot_failsWithNoSnapshotNamedAndNoWrite() throws Exception {
    String uuid = fx.createMinimal();
    byte[] before = Files.readAllBytes(fx.file(uuid));
    events.clear();

    assertThatThrownBy(() -> fx.vms.deleteSnapshot(uuid, "x")).isInstanceOf(VmException.class)
        .hasMessage("No snapshot named \"x\" for " + uuid)
        .extracting(e -> ((VmException) e).restCode()).isNull();
    assertThatThrownBy(() -> fx.vms.rollbackSnapshot(uuid, "x")).isInstanceOf(VmException.class)
        .hasMessage("No snapshot named \"x\" for " + uuid);

    assertThat(Files.readAllBytes(fx.file(uuid))).isEqualTo(before);
    assertThat(events.events()).isEmpty();
  }

  /** D15. */
  @Test
  void createSnapshot_duplicateName_isRejected() {
    String uuid = fx.createMinimal();
    fx.vms.createSnapshot(uuid, "s1");
    assertThatThrownBy(() -> fx.vms.createSnapshot(uuid, "s1")).isInstanceOf(VmException.class)
        .extracting(e -> ((VmException) e).kind()).isEqualTo(VmException.Kind.INVALID);
    assertThatThrownBy(() -> fx.vms.createSnapshot(uuid, "bad name/")).isInstanceOf(VmException.class);
    assertThat(snapshots(uuid)).hasSize(1);
  }

  /** A28: the exact modify-change sequence of §2.11. */
  @Test
  void reprovision_runningVm_fiveWritesInSpecOrder() {
    String uuid = fx.createMinimal();
    String newImage = "2b683a82-a066-11e3-97ab-2faa44701c5a";
    events.clear();

    fx.vms.reprovision(uuid, newImage);

    assertThat(events.events()).hasSize(5);
    assertThat(events.changeSummary()).containsExactly(
        "state:changed:running->provisioning",
        "zone_state:changed:running->stopped",
        "image_uuid:changed:" + VmFixtures.IMAGE + "->" + newImage,
        "zone_state:changed:stopped->running",
        "state:changed:provisioning->running");
    assertThat(fx.vms.load(uuid)).containsEntry("state", "running").containsEntry("zone_state", "running")
        .containsEntry("image_uuid", newImage);
    assertThat(fx.onDisk(uuid)).doesNotContainKey("zone_state");
  }

  @Test
  void reprovision_stoppedVm_threeWrites() {
    String uuid = fx.createMinimal();
    fx.vms.stop(uuid);
    events.clear();

    fx.vms.reprovision(uuid, "2b683a82-a066-11e3-97ab-2faa44701c5a");

    assertThat(events.states()).containsExactly("provisioning", "provisioning", "stopped");
    assertThat(fx.vms.load(uuid)).containsEntry("state", "stopped").containsEntry("zone_state", "stopped");
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> snapshots(String uuid) {
    return (List<Map<String, Object>>) fx.onDisk(uuid).get("snapshots");
  }
}
