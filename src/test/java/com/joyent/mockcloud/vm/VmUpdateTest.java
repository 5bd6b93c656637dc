package com.joyent.mockcloud.vm;

import static com.joyent.mockcloud.vm.VmFixtures.newUuid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec §6 A16–A25 with the recommended decisions D1–D6, plus disks and resizes. */
class VmUpdateTest {
  static final String M1 = "90:b8:d0:2f:6b:5d";
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

  /** A16. */
  @Test
  void update_simpleKeys_replacedVerbatim() {
    String uuid = fx.createMinimal();
    String billing = "73a1ca34-1e30-48c7-8681-70314a9c67d3";
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("alias", "robotic_dolphin");
    p.put("autoboot", false);
    p.put("image_uuid", "2b683a82-a066-11e3-97ab-2faa44701c5a");
    p.put("billing_id", billing);
    p.put("resolvers", "1.1.1.1,1.0.0.1");

    assertThat(fx.vms.update(uuid, p)).isTrue();

    assertThat(fx.onDisk(uuid)).containsEntry("alias", "robotic_dolphin").containsEntry("autoboot", false)
        .containsEntry("image_uuid", "2b683a82-a066-11e3-97ab-2faa44701c5a")
        .containsEntry("billing_id", billing).containsEntry("resolvers", "1.1.1.1,1.0.0.1");
  }

  /** A17 (recommended D6): quota replaced, one write. */
  @Test
  void update_quota_isReplacedWithOneWrite() {
    String uuid = fx.createMinimal();
    events.clear();

    fx.vms.update(uuid, Map.of("quota", 50));

    assertThat(fx.onDisk(uuid)).containsEntry("quota", 50);
    assertThat(events.events()).hasSize(1);
    assertThat(events.changeSummary()).contains("quota:changed:10->50");
  }

  @Test
  void update_onlyIgnoredKeys_noWriteNoEvent() throws Exception {
    String uuid = fx.createMinimal();
    byte[] before = Files.readAllBytes(fx.file(uuid));
    long mtime = fx.mtime(uuid);
    events.clear();

    assertThat(fx.vms.update(uuid, Map.of("uuid", uuid, "jobid", "x"))).isFalse();

    assertThat(Files.readAllBytes(fx.file(uuid))).isEqualTo(before);
    assertThat(fx.mtime(uuid)).isEqualTo(mtime);
    assertThat(events.events()).isEmpty();
  }

  @Test
  void update_resize_zoneRamSetsMaxPhysicalMemory_kvmKeepsRam() {
    String zone = fx.createMinimal();
    String kvm = fx.vms.create(Map.of("brand", "kvm", "ram", 1024));

    fx.vms.update(zone, Map.of("ram", 512, "max_swap", 1024, "max_locked_memory", 512, "cpu_cap", 200));
    fx.vms.update(kvm, Map.of("ram", 2048));

    assertThat(fx.onDisk(zone)).doesNotContainKey("ram").containsEntry("max_physical_memory", 512)
        .containsEntry("max_swap", 1024).containsEntry("max_locked_memory", 512).containsEntry("cpu_cap", 200);
    assertThat(fx.onDisk(kvm)).containsEntry("ram", 2048);
  }

  @Test
  void update_nullScalar_removesKey() {
    String uuid = fx.createMinimal();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("cpu_cap", null);
    fx.vms.update(uuid, p);
    assertThat(fx.onDisk(uuid)).doesNotContainKey("cpu_cap");
  }

  /** A18. */
  @Test
  void setTags_onVmWithoutTags_createsTags() {
    Map<String, Object> p = VmFixtures.minimalPayload(newUuid());
    p.remove("tags");
    String uuid = fx.vms.create(p);

    fx.vms.update(uuid, Map.of("set_tags", Map.of("role", "database")));

    assertThat(fx.onDisk(uuid)).containsEntry("tags", Map.of("role", "database"));
  }

  /** A19 (D1). */
  @Test
  void removeTags_removesListedTag() {
    String uuid = fx.createMinimal();
    fx.vms.update(uuid, Map.of("set_tags", Map.of("role", "database", "keep", true)));

    fx.vms.update(uuid, Map.of("remove_tags", List.of("role")));

    assertThat(fx.onDisk(uuid)).containsEntry("tags", Map.of("keep", true));
  }

  /** A20 (D6). */
  @Test
  void customerAndInternalMetadata_setMergesRemoveDeletes() {
    String uuid = fx.createMinimal();
    fx.vms.update(uuid, Map.of("set_customer_metadata", Map.of("a", "1", "b", "2"),
        "set_internal_metadata", Map.of("x", "y")));
    fx.vms.update(uuid, Map.of("remove_customer_metadata", List.of("a"),
        "remove_internal_metadata", List.of("x")));

    assertThat(fx.onDisk(uuid)).containsEntry("customer_metadata", Map.of("b", "2"))
        .containsEntry("internal_metadata", Map.of());
  }

  /** A21 (D2, D3). */
  @Test
  void routes_setAlonePersisted_removeDeletesOnlyListed() {
    String uuid = fx.createMinimal();
    fx.vms.update(uuid, Map.of("set_routes", Map.of("10.0.0.0/8", "10.1.1.1", "192.168.0.0/16", "10.1.1.2")));
    assertThat(fx.onDisk(uuid)).containsEntry("routes", Map.of("10.0.0.0/8", "10.1.1.1", "192.168.0.0/16", "10.1.1.2"));

    fx.vms.update(uuid, Map.of("remove_routes", List.of("10.0.0.0/8", "x")));
    assertThat(fx.onDisk(uuid)).containsEntry("routes", Map.of("192.168.0.0/16", "10.1.1.2"));

    // net-agent sends both keys: set first, then remove.
    fx.vms.update(uuid, Map.of("set_routes", Map.of("172.16.0.0/12", "10.1.1.3"), "remove_routes", List.of("192.168.0.0/16")));
    assertThat(fx.onDisk(uuid)).containsEntry("routes", Map.of("172.16.0.0/12", "10.1.1.3"));
  }

  /** A22. */
  @Test
  void addNics_newPrimary_oldLosesPrimaryFalseFlagsDropped() {
    String uuid = fx.createMinimal();
    Map<String, Object> nic = VmFixtures.nic("90:b8:d0:00:00:02", "10.88.0.5", true);
    nic.put("allow_ip_spoofing", false);

    fx.vms.update(uuid, Map.of("add_nics", List.of(nic)));

    List<Map<String, Object>> nics = nics(uuid);
    assertThat(nics).hasSize(2);
    assertThat(nics.get(0)).doesNotContainKey("primary");
    assertThat(nics.get(1)).containsEntry("primary", true).doesNotContainKey("allow_ip_spoofing")
        .containsEntry("ips", List.of("10.88.0.5/24"));
  }

  /** A23. */
  @Test
  void updateNics_flagTrueSets_flagFalseRemoves() {
    String uuid = fx.createMinimal();
    fx.vms.update(uuid, Map.of("update_nics", List.of(Map.of("mac", M1, "allow_ip_spoofing", true))));
    assertThat(nics(uuid).get(0)).containsEntry("allow_ip_spoofing", true);

    fx.vms.update(uuid, Map.of("update_nics", List.of(Map.of("mac", M1, "allow_ip_spoofing", false))));
    assertThat(nics(uuid).get(0)).doesNotContainKey("allow_ip_spoofing");
  }

  @Test
  void updateNics_newIpWithoutNetmask_usesTheNicsNetmask() {
    String uuid = fx.createMinimal();
    fx.vms.update(uuid, Map.of("update_nics", List.of(Map.of("mac", M1, "ip", "10.99.99.77"))));
    assertThat(nics(uuid).get(0)).containsEntry("ip", "10.99.99.77").containsEntry("ips", List.of("10.99.99.77/24"))
        .containsEntry("netmask", "255.255.255.0").containsEntry("primary", true);
  }

  /** A24 (D5): first private NIC, else first NIC with an IP. */
  @Test
  void removeNics_primary_reelectsPrivateThenPublic() {
    Map<String, Object> p = VmFixtures.minimalPayload(newUuid());
    p.put("nics", new ArrayList<>(List.of(
        VmFixtures.nic("90:b8:d0:00:00:01", "192.168.1.4", true),
        VmFixtures.nic("90:b8:d0:00:00:02", "8.8.8.8", false),
        VmFixtures.nic("90:b8:d0:00:00:03", "10.0.0.5", false))));
    String uuid = fx.vms.create(p);

    fx.vms.update(uuid, Map.of("remove_nics", List.of("90:b8:d0:00:00:01")));
    assertThat(nics(uuid)).extracting(n -> n.get("mac") + "/" + n.get("primary"))
        .containsExactly("90:b8:d0:00:00:02/null", "90:b8:d0:00:00:03/true");

    fx.vms.update(uuid, Map.of("remove_nics", List.of("90:b8:d0:00:00:03")));
    assertThat(nics(uuid)).extracting(n -> n.get("mac") + "/" + n.get("primary"))
        .containsExactly("90:b8:d0:00:00:02/true");
  }

  /** A25 (D4). */
  @Test
  void removeNics_nonPrimary_isPersistedWithOneWrite() {
    Map<String, Object> p = VmFixtures.minimalPayload(newUuid());
    p.put("nics", new ArrayList<>(List.of(VmFixtures.nic(M1, "10.0.0.4", true),
        VmFixtures.nic("90:b8:d0:00:00:02", "10.0.0.5", false))));
    String uuid = fx.vms.create(p);
    events.clear();

    fx.vms.update(uuid, Map.of("remove_nics", List.of("90:b8:d0:00:00:02")));

    assertThat(nics(uuid)).extracting(n -> n.get("mac")).containsExactly(M1);
    assertThat(events.events()).hasSize(1);
  }

  @Test
  void update_twoNewPrimaries_isRejectedAndNothingWritten() throws Exception {
    String uuid = fx.createMinimal();
    byte[] before = Files.readAllBytes(fx.file(uuid));
    events.clear();

    assertThatThrownBy(() -> fx.vms.update(uuid, Map.of(
        "alias", "changed",
        "add_nics", List.of(VmFixtures.nic("90:b8:d0:00:00:02", "10.0.0.5", true)),
        "update_nics", List.of(Map.of("mac", M1, "primary", true)))))
        .isInstanceOf(VmException.class).extracting(e -> ((VmException) e).restCode()).isEqualTo("ValidationFailed");

    assertThat(Files.readAllBytes(fx.file(uuid))).isEqualTo(before);
    assertThat(fx.vms.load(uuid)).containsEntry("alias", "testvm");
    assertThat(events.events()).isEmpty();
  }

  @Test
  void update_badValues_areRejected() {
    String uuid = fx.createMinimal();
    for (Map<String, Object> p : List.<Map<String, Object>>of(
        Map.of("quota", "lots"), Map.of("set_tags", List.of("x")), Map.of("remove_tags", "role"),
        Map.of("image_uuid", "not-a-uuid"), Map.of("add_nics", List.of(Map.of("ip", "10.0.0.1"))),
        Map.of("add_disks", List.of(Map.of("size", 10))))) {
      assertThatThrownBy(() -> fx.vms.update(uuid, p)).as(p.toString()).isInstanceOf(VmException.class)
          .extracting(e -> ((VmException) e).kind()).isEqualTo(VmException.Kind.INVALID);
    }
  }

  @Test
  void disks_addUpdateRemove_onBhyve() {
    String uuid = fx.vms.create(Map.of("brand", "bhyve", "ram", 1024,
        "disks", List.of(Map.of("image_uuid", VmFixtures.IMAGE, "size", 10240))));

    fx.vms.update(uuid, Map.of("add_disks", List.of(Map.of("size", 2048, "model", "virtio"))));
    String path = "/dev/zvol/rdsk/zones/" + uuid + "-disk1";
    assertThat(disks(uuid)).hasSize(2);
    assertThat(disks(uuid).get(1)).containsEntry("path", path).containsEntry("size", 2048);

    fx.vms.update(uuid, Map.of("update_disks", List.of(Map.of("path", path, "size", 4096))));
    assertThat(disks(uuid).get(1)).containsEntry("size", 4096);

    assertThatThrownBy(() -> fx.vms.update(uuid, Map.of("update_disks", List.of(Map.of("path", "/nope", "size", 1)))))
        .isInstanceOf(VmException.class);

    fx.vms.update(uuid, Map.of("remove_disks", List.of(path)));
    assertThat(disks(uuid)).hasSize(1);
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> nics(String uuid) {
    return (List<Map<String, Object>>) fx.onDisk(uuid).get("nics");
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> disks(String uuid) {
    return (List<Map<String, Object>>) fx.onDisk(uuid).get("disks");
  }
}
