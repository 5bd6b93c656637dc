package com.joyent.mockcloud.vm;

import static com.joyent.mockcloud.vm.VmFixtures.newUuid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.joyent.mockcloud.json.JsValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec §6 A6–A11 (derived fields, not found, DNI, field selection, lookup). */
class VmLoadTest {
  @TempDir Path root;
  VmFixtures fx;

  @BeforeEach
  void setUp() {
    fx = new VmFixtures(root);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  /** A6. */
  @Test
  void load_runningVm_hasDerivedFieldsFromMtimeAndSysinfo() {
    String uuid = fx.createMinimal();
    long mtime = fx.mtime(uuid);
    String iso = JsValues.isoString(mtime);

    Map<String, Object> vm = fx.vms.load(uuid);

    assertThat(vm).containsEntry("last_modified", iso)
        .containsEntry("pid", (int) ((mtime / 1000) % 100000))
        .containsEntry("zoneid", vm.get("pid"))
        .containsEntry("boot_timestamp", iso)
        .containsEntry("zonename", uuid)
        .containsEntry("zone_state", "running")
        .containsEntry("server_uuid", VmFixtures.S)
        .containsEntry("datacenter_name", "testdc")
        .containsEntry("platform_buildstamp", "20180806T115631Z");
    assertThat((String) vm.get("last_modified")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
  }

  /** A7. */
  @Test
  void load_stoppedVm_hasExitStatusAndTimestamp() {
    Map<String, Object> p = VmFixtures.minimalPayload(newUuid());
    p.put("autoboot", false);
    String uuid = fx.vms.create(p);

    Map<String, Object> vm = fx.vms.load(uuid);

    assertThat(vm).containsEntry("exit_status", 0)
        .containsEntry("exit_timestamp", vm.get("last_modified"))
        .containsEntry("zone_state", "stopped")
        .doesNotContainKeys("pid", "zoneid", "boot_timestamp");
  }

  /** A8 (and D9: the same error for every operation on a missing VM). */
  @Test
  void anyOperation_missingVm_isVmNotFoundWithCanonicalMessage() {
    String uuid = newUuid();
    List<Runnable> ops = List.of(
        () -> fx.vms.load(uuid), () -> fx.vms.update(uuid, Map.of("alias", "x")),
        () -> fx.vms.start(uuid), () -> fx.vms.stop(uuid), () -> fx.vms.reboot(uuid),
        () -> fx.vms.kill(uuid, "SIGKILL"), () -> fx.vms.delete(uuid),
        () -> fx.vms.createSnapshot(uuid, "s1"), () -> fx.vms.deleteSnapshot(uuid, "s1"),
        () -> fx.vms.rollbackSnapshot(uuid, "s1"), () -> fx.vms.reprovision(uuid, VmFixtures.IMAGE),
        () -> fx.vms.info(uuid, null));
    for (Runnable op : ops) {
      assertThatThrownBy(op::run).isInstanceOf(VmException.class)
          .hasMessage("vmadm load " + uuid + " failed: No such zone")
          .extracting(e -> ((VmException) e).restCode()).isEqualTo("VmNotFound");
    }
    assertThat(fx.vms.exists(uuid)).isFalse();
  }

  /** A9. */
  @Test
  void doNotInventory_hiddenFromLoadAndExistsUnlessIncludeDni_butInLookup() {
    Map<String, Object> p = VmFixtures.minimalPayload(newUuid());
    p.put("do_not_inventory", true);
    String uuid = fx.vms.create(p);

    assertThat(fx.vms.exists(uuid)).isFalse();
    assertThat(fx.vms.exists(uuid, true)).isTrue();
    assertThatThrownBy(() -> fx.vms.load(uuid)).extracting(e -> ((VmException) e).restCode()).isEqualTo("VmNotFound");
    assertThat(fx.vms.load(uuid, null, true)).containsEntry("uuid", uuid);
    assertThat(fx.vms.lookup(Map.of(), null)).extracting(v -> v.get("uuid")).containsExactly(uuid);
  }

  /** A10. */
  @Test
  void load_withFields_returnsExactlyThoseKeys() {
    String uuid = fx.createMinimal();
    assertThat(fx.vms.load(uuid, List.of("uuid", "state"), false)).containsOnlyKeys("uuid", "state");
  }

  /** Field selection decodes only what it needs; what it returns must equal the full view's keys. */
  @Test
  void load_withFields_equalsTheFullViewRestrictedToThoseFields() {
    Map<String, Object> p = VmFixtures.minimalPayload(newUuid());
    p.put("autoboot", false);
    p.put("alias", "x");
    String stopped = fx.vms.create(p);
    String running = fx.createMinimal();
    for (String uuid : List.of(stopped, running)) {
      Map<String, Object> full = fx.vms.load(uuid, null, false);
      for (List<String> fields : List.of(List.of("uuid", "state"), List.of("zoneid", "alias", "last_modified", "nics"),
          List.of("exit_status", "exit_timestamp", "pid", "zone_state", "brand"), STATUS_KEYS, List.copyOf(full.keySet()))) {
        Map<String, Object> want = new java.util.LinkedHashMap<>(full);
        want.keySet().retainAll(fields);
        assertThat(fx.vms.load(uuid, fields, false)).containsExactlyEntriesOf(want);
        assertThat(fx.vms.lookup(Map.of("uuid", uuid), fields)).singleElement().satisfies(
            v -> assertThat(v).containsExactlyEntriesOf(want));
      }
    }
  }

  /** What a CN's status report reads of every VM each minute (served from the entry's summary, not the blob). */
  private static final List<String> STATUS_KEYS = List.of("brand", "cpu_cap", "last_modified", "max_physical_memory",
      "owner_uuid", "quota", "state", "uuid", "zone_state", "do_not_inventory");

  /** A hand-written file with an object where a scalar belongs, and keys the view derives: the same answers. */
  @Test
  void load_withFields_ofAnOddFile_equalsTheFullView() throws Exception {
    String plain = newUuid();
    String odd = newUuid();
    Path dir = fx.serverDir(VmFixtures.S).resolve("vms");
    Files.writeString(dir.resolve(plain + ".json"), "{\"uuid\":\"" + plain + "\",\"state\":\"stopped\","
        + "\"exit_timestamp\":\"2020-01-01T00:00:00.000Z\",\"zone_state\":\"installed\",\"quota\":2.5,"
        + "\"brand\":\"lx\",\"do_not_inventory\":true,\"alias\":\"a\",\"cpu_cap\":-0.0,"
        + "\"max_physical_memory\":1e15,\"pid\":10.0}");
    Files.writeString(dir.resolve(odd + ".json"), "{\"brand\":{\"name\":\"lx\"},\"uuid\":\"" + odd
        + "\",\"owner_uuid\":null,\"max_physical_memory\":1024}");
    fx.vms.rescan();
    for (String uuid : List.of(plain, odd)) {
      Map<String, Object> full = fx.vms.load(uuid, null, true);
      Map<String, Object> want = new java.util.LinkedHashMap<>(full);
      want.keySet().retainAll(STATUS_KEYS);
      assertThat(fx.vms.load(uuid, STATUS_KEYS, true)).containsExactlyEntriesOf(want);
      assertThat(fx.vms.lookup(Map.of("uuid", uuid), STATUS_KEYS)).singleElement().satisfies(
          v -> assertThat(v).containsExactlyEntriesOf(want));
    }
    // What was handed out is the caller's: changing it changes no later answer.
    fx.vms.load(odd, STATUS_KEYS, true).put("brand", "changed");
    assertThat(fx.vms.load(odd, STATUS_KEYS, true).get("brand")).isEqualTo(Map.of("name", "lx"));
    fx.vms.load(plain, STATUS_KEYS, true).put("quota", 99);
    assertThat(fx.vms.load(plain, STATUS_KEYS, true).get("quota")).isEqualTo(2.5);
  }

  /** A11. */
  @Test
  void lookup_emptyFilter_returnsAllAugmentedAndIgnoresNonVmFiles() throws Exception {
    String a = fx.createMinimal();
    String b = fx.createMinimal();
    Path dir = fx.serverDir(VmFixtures.S).resolve("vms");
    Files.writeString(dir.resolve("foo.txt"), "hello");
    Files.writeString(dir.resolve(a + ".json.123"), "{");
    Files.writeString(dir.resolve("AAAAAAAA-0000-4000-8000-00000000000A.json"), "{}");
    fx.vms.rescan();

    List<Map<String, Object>> all = fx.vms.lookup(Map.of(), null);

    assertThat(all).extracting(v -> v.get("uuid")).containsExactly(a, b);
    assertThat(all).allSatisfy(v -> assertThat(v).containsKeys("last_modified", "zonename", "zone_state", "server_uuid"));
  }

  @Test
  void lookup_equalityFilters_matchOnAnyFieldWithFieldSelection() {
    String a = fx.createMinimal();
    Map<String, Object> p = VmFixtures.minimalPayload(newUuid());
    p.put("alias", "other");
    p.put("autoboot", false);
    String b = fx.vms.create(p);

    assertThat(fx.vms.lookup(Map.of("alias", "other"), List.of("uuid"))).containsExactly(Map.of("uuid", b));
    assertThat(fx.vms.lookup(Map.of("zone_state", "running"), List.of("uuid"))).containsExactly(Map.of("uuid", a));
    assertThat(fx.vms.lookup(Map.of("quota", 10L, "brand", "joyent-minimal"), List.of("uuid"))).hasSize(2);
    assertThat(fx.vms.lookup(Map.of("nope", 1), null)).isEmpty();
  }

  @Test
  void reopen_loadsVmsFromDisk() {
    String uuid = fx.createMinimal();
    fx.vms.stop(uuid);
    Map<String, Object> before = fx.vms.load(uuid);
    fx.close();

    VmFixtures again = new VmFixtures(root);
    try {
      assertThat(again.vms.load(uuid)).isEqualTo(before);
    } finally {
      again.close();
    }
  }
}
