package com.joyent.mockcloud.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec §6 A12–A15, kill and info (D14). */
class VmStateTest {
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

  /** A12. */
  @Test
  void stopThenStart_flipStateAndAutoboot() {
    String uuid = fx.createMinimal();

    fx.vms.stop(uuid);
    assertThat(fx.onDisk(uuid)).containsEntry("state", "stopped").containsEntry("autoboot", false)
        .doesNotContainKey("zone_state");
    assertThat(fx.vms.load(uuid)).containsEntry("zone_state", "stopped");

    fx.vms.start(uuid);
    assertThat(fx.onDisk(uuid)).containsEntry("state", "running").containsEntry("autoboot", true);
    assertThat(fx.vms.load(uuid)).containsEntry("zone_state", "running");
  }

  /** A13. */
  @Test
  void start_runningVm_rewritesFileAndAdvancesMtime() {
    String uuid = fx.createMinimal();
    long before = fx.mtime(uuid);
    events.clear();

    fx.vms.start(uuid);

    assertThat(fx.mtime(uuid)).isGreaterThan(before);
    assertThat(fx.vms.load(uuid)).containsEntry("state", "running");
    assertThat(events.events()).hasSize(1);
  }

  /** A14. */
  @Test
  void reboot_runningVm_threeWritesShuttingDownStoppedRunning() {
    String uuid = fx.createMinimal();
    events.clear();

    fx.vms.reboot(uuid);

    assertThat(events.states()).containsExactly("shutting_down", "stopped", "running");
    assertThat(events.events()).extracting(e -> e.vm().get("zone_state"))
        .containsExactly("shutting_down", "stopped", "running");
    assertThat(fx.onDisk(uuid)).containsEntry("autoboot", true).containsEntry("state", "running");
  }

  /** The CN booted: autoboot VMs run, the others stop (autoboot kept), unchanged ones are not written. */
  @Test
  void boot_runsAutobootVms_stopsTheOthers_writesOnlyThoseThatChange() {
    String runningNoAutoboot = fx.createMinimal();
    fx.vms.update(runningNoAutoboot, Map.of("autoboot", false));
    String stoppedAutoboot = fx.createMinimal();
    fx.vms.kill(stoppedAutoboot);
    String runningAutoboot = fx.createMinimal();
    String stoppedNoAutoboot = fx.createMinimal();
    fx.vms.stop(stoppedNoAutoboot);
    assertThat(fx.vms.load(runningNoAutoboot)).containsEntry("state", "running").containsEntry("autoboot", false);
    assertThat(fx.vms.load(stoppedAutoboot)).containsEntry("state", "stopped").containsEntry("autoboot", true);
    events.clear();

    fx.vms.boot();

    assertThat(fx.onDisk(runningNoAutoboot)).containsEntry("state", "stopped").containsEntry("autoboot", false);
    assertThat(fx.onDisk(stoppedAutoboot)).containsEntry("state", "running").containsEntry("autoboot", true);
    assertThat(fx.onDisk(runningAutoboot)).containsEntry("state", "running");
    assertThat(fx.onDisk(stoppedNoAutoboot)).containsEntry("state", "stopped");
    assertThat(events.events()).extracting(e -> e.vm().get("uuid"))
        .containsExactlyInAnyOrder(runningNoAutoboot, stoppedAutoboot);
  }

  /** A crash: stopped as a dying zone, its exit status kept until the next state change. */
  @Test
  void crash_stopsWithExitStatusAndTimestamp_untilTheNextChange() {
    String uuid = fx.createMinimal();
    events.clear();

    fx.vms.crash(uuid, 3);

    assertThat(events.events()).hasSize(1);
    Map<String, Object> crashed = fx.vms.load(uuid);
    assertThat(crashed).containsEntry("state", "stopped").containsEntry("zone_state", "installed")
        .containsEntry("exit_status", 3).containsEntry("autoboot", true);
    assertThat((String) crashed.get("exit_timestamp")).isNotEmpty();
    fx.vms.start(uuid);
    fx.vms.stop(uuid);
    assertThat(fx.vms.load(uuid)).containsEntry("exit_status", 0).containsEntry("zone_state", "stopped");
  }

  @Test
  void changeStateOnItsOwn_writesTheState_keepsAutoboot_andRefusesOthers() {
    String uuid = fx.createMinimal();
    fx.vms.changeStateOnItsOwn(uuid, "failed");
    assertThat(fx.onDisk(uuid)).containsEntry("state", "failed").containsEntry("autoboot", true);
    events.clear();
    assertThatThrownBy(() -> fx.vms.changeStateOnItsOwn(uuid, "provisioning")).isInstanceOf(VmException.class)
        .hasMessageContaining("state must be one of running, stopped, failed");
    assertThat(events.events()).isEmpty();
    assertThat(fx.onDisk(uuid)).containsEntry("state", "failed");
  }

  @Test
  void reboot_stoppedVm_endsRunning() {
    String uuid = fx.createMinimal();
    fx.vms.stop(uuid);
    fx.vms.reboot(uuid);
    assertThat(fx.vms.load(uuid)).containsEntry("state", "running").containsEntry("autoboot", true);
  }

  /** A15. */
  @Test
  void delete_removesFile_secondDeleteIsVmNotFound() {
    String uuid = fx.createMinimal();

    fx.vms.delete(uuid);

    assertThat(fx.file(uuid)).doesNotExist();
    assertThatThrownBy(() -> fx.vms.load(uuid)).extracting(e -> ((VmException) e).restCode()).isEqualTo("VmNotFound");
    assertThatThrownBy(() -> fx.vms.delete(uuid)).extracting(e -> ((VmException) e).restCode()).isEqualTo("VmNotFound");
  }

  @Test
  void kill_stopsButKeepsAutoboot() {
    String uuid = fx.createMinimal();
    fx.vms.kill(uuid, "SIGKILL");
    assertThat(fx.onDisk(uuid)).containsEntry("state", "stopped").containsEntry("autoboot", true);
    assertThat(fx.vms.load(uuid)).containsEntry("zone_state", "stopped");
  }

  @Test
  void info_hvmVm_fixedAnswer_zoneNotSupported() {
    String zone = fx.createMinimal();
    String kvm = fx.vms.create(Map.of("brand", "kvm", "ram", 1024));

    assertThat(fx.vms.info(kvm, null)).containsKeys("status", "vnc", "version");
    assertThat(fx.vms.info(kvm, List.of("vnc"))).containsOnlyKeys("vnc");
    assertThatThrownBy(() -> fx.vms.info(zone, null)).isInstanceOf(VmException.class)
        .extracting(e -> ((VmException) e).kind()).isEqualTo(VmException.Kind.NOT_SUPPORTED);
  }

  @Test
  void mutation_badUuid_isInvalidNotPath() {
    assertThatThrownBy(() -> fx.vms.stop("../x")).isInstanceOf(VmException.class)
        .extracting(e -> ((VmException) e).restCode()).isEqualTo("ValidationFailed");
    assertThat(fx.vms.exists("../x")).isFalse();
  }
}
