package com.joyent.mockcloud.vm;

import static com.joyent.mockcloud.vm.VmFixtures.newUuid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec vmadm-and-vm-agent.md §6 A1–A5 and invalid create payloads. */
class VmCreateTest {
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

  /** A1. */
  @Test
  void create_directPayload_writesDefaultsAndNormalisedNic() throws Exception {
    Map<String, Object> nic = new LinkedHashMap<>();
    nic.put("nic_tag", "admin");
    nic.put("ip", "10.88.88.52");
    nic.put("netmask", "255.255.255.0");
    nic.put("gateway", "10.88.88.2");
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("brand", "joyent");
    p.put("autoboot", true);
    p.put("max_physical_memory", 512);
    p.put("quota", 20);
    p.put("resolvers", List.of("8.8.8.8"));
    p.put("hostname", "web00");
    p.put("nics", List.of(nic));

    String uuid = fx.vms.create(p);

    assertThat(uuid).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(fx.file(uuid)).exists();
    Map<String, Object> vm = fx.onDisk(uuid);
    assertThat(vm).containsEntry("state", "running").containsEntry("autoboot", true)
        .containsEntry("create_timestamp", "2024-05-01T12:34:56.789Z")
        .containsEntry("cpu_shares", 100).containsEntry("max_lwps", 2000)
        .containsEntry("max_locked_memory", 512).containsEntry("max_swap", 512)
        .containsEntry("hostname", "web00")
        .doesNotContainKeys("ram", "last_modified");
    @SuppressWarnings("unchecked")
    Map<String, Object> n = ((List<Map<String, Object>>) vm.get("nics")).get(0);
    assertThat(n).containsEntry("ips", List.of("10.88.88.52/24")).containsEntry("gateways", List.of("10.88.88.2"));
    String text = Files.readString(fx.file(uuid));
    assertThat(text).startsWith("{\n  \"brand\": \"joyent\",\n").endsWith("}\n");
  }

  /** A2: the cn-agent mapping, then create. */
  @Test
  void create_viaCnAgentMapping_forcesZpoolPathsAndDropsIgnoredKeys() {
    String uuid = newUuid();
    Map<String, Object> nic = VmFixtures.nic("90:b8:d0:2f:6b:5d", "10.99.99.40", true);
    nic.put("gateway", "10.99.99.7");
    nic.put("belongs_to_uuid", uuid);
    nic.put("state", "provisioning");
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("uuid", uuid);
    params.put("brand", "joyent-minimal");
    params.put("ram", 128);
    params.put("max_physical_memory", 128);
    params.put("max_swap", 256);
    params.put("firewall_enabled", true);
    params.put("zfs_io_priority", 30);
    params.put("hostname", "x");
    params.put("zpool", "foo");
    params.put("nics", List.of(nic));

    MachineCreatePayload.Mapped mapped = MachineCreatePayload.fromTaskParams(params);
    fx.vms.create(mapped.payload());

    Map<String, Object> vm = fx.onDisk(uuid);
    assertThat(vm).containsEntry("max_locked_memory", 256).containsEntry("zpool", "zones")
        .containsEntry("zfs_filesystem", "zones/" + uuid).containsEntry("zonepath", "/zones/" + uuid)
        .containsEntry("zfs_io_priority", 100).containsEntry("datasets", List.of())
        .containsEntry("limit_priv", "default")
        .containsEntry("firewall_enabled", true) // kept, as real vmadm does (the Node dummy dropped it)
        .doesNotContainKeys("hostname", "ram");
    @SuppressWarnings("unchecked")
    Map<String, Object> n = ((List<Map<String, Object>>) vm.get("nics")).get(0);
    assertThat(n).doesNotContainKeys("gateway", "gateways", "belongs_to_uuid", "state")
        .containsEntry("ips", List.of("10.99.99.40/24"));
    assertThat(mapped.ignored()).contains("hostname", "zpool").doesNotContain("firewall_enabled");
  }

  /** A3. */
  @Test
  void create_autobootFalseOrStringTrue_isStopped() {
    Map<String, Object> p = VmFixtures.minimalPayload(newUuid());
    p.put("autoboot", false);
    String a = fx.vms.create(p);
    Map<String, Object> q = VmFixtures.minimalPayload(newUuid());
    q.put("autoboot", "true");
    String b = fx.vms.create(q);

    assertThat(fx.onDisk(a)).containsEntry("state", "stopped");
    assertThat(fx.onDisk(b)).containsEntry("state", "stopped");
  }

  /** A4. */
  @Test
  void create_kvmViaCnAgent_keepsRamAndFiltersDisks() {
    String uuid = newUuid();
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("uuid", uuid);
    params.put("brand", "kvm");
    params.put("ram", 1024);
    params.put("disks", List.of(Map.of("image_uuid", VmFixtures.IMAGE, "size", 10240, "boot", true)));

    fx.vms.create(MachineCreatePayload.fromTaskParams(params).payload());

    Map<String, Object> vm = fx.onDisk(uuid);
    assertThat(vm).containsEntry("ram", 1024).containsEntry("max_physical_memory", 1024);
    assertThat(vm.get("disks")).isEqualTo(List.of(Map.of("image_uuid", VmFixtures.IMAGE, "size", 10240)));
  }

  @Test
  void create_bhyveWithoutDisksOrNics_defaultsToEmptyArrays() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("brand", "bhyve");
    p.put("ram", 2048);
    String uuid = fx.vms.create(p);

    assertThat(fx.onDisk(uuid)).containsEntry("disks", List.of()).containsEntry("nics", List.of())
        .containsEntry("ram", 2048);
  }

  @Test
  void create_lxAndJoyent_dropRam() {
    for (String brand : List.of("lx", "joyent", "joyent-minimal")) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("brand", brand);
      p.put("ram", 512);
      String uuid = fx.vms.create(p);
      assertThat(fx.onDisk(uuid)).doesNotContainKey("ram").containsEntry("max_physical_memory", 512)
          .containsEntry("max_swap", 512).doesNotContainKey("disks");
    }
  }

  /** A5. */
  @Test
  void create_existingUuid_failsWithMachineExistsAndKeepsFile() throws Exception {
    String uuid = fx.createMinimal();
    byte[] before = Files.readAllBytes(fx.file(uuid));

    assertThatThrownBy(() -> fx.vms.create(VmFixtures.minimalPayload(uuid)))
        .isInstanceOf(VmException.class).hasMessage("Machine " + uuid + " exists.")
        .extracting(e -> ((VmException) e).restCode()).isEqualTo("VmExists");
    assertThat(Files.readAllBytes(fx.file(uuid))).isEqualTo(before);
    assertThat(fx.vms.exists(uuid, true)).isTrue();
  }

  @Test
  void create_unknownBrand_isRejectedAndNothingWritten() throws Exception {
    Map<String, Object> p = VmFixtures.minimalPayload(newUuid());
    p.put("brand", "solaris8");
    assertInvalid(p, "unknown brand: solaris8");
  }

  @Test
  void create_badUuid_isRejectedAndNothingWritten() throws Exception {
    Map<String, Object> p = VmFixtures.minimalPayload("../../etc/passwd");
    assertInvalid(p, "uuid must be a lower-case UUID");
  }

  @Test
  void create_nicWithIpButNoNetmask_isRejectedAndNothingWritten() throws Exception {
    Map<String, Object> p = VmFixtures.minimalPayload(newUuid());
    p.put("nics", List.of(Map.of("ip", "10.0.0.5", "nic_tag", "admin")));
    assertInvalid(p, "needs a netmask");
  }

  @Test
  void create_badNics_areRejected() throws Exception {
    for (Object nics : List.of("eth0", List.of("x"), List.of(Map.of("mac", "nope")),
        List.of(Map.of("ip", "10.0.0.300", "netmask", "255.255.255.0")),
        List.of(Map.of("ip", "10.0.0.3", "netmask", "255.0.255.0")),
        List.of(Map.of("primary", true, "mac", "00:00:00:00:00:01"), Map.of("primary", true, "mac", "00:00:00:00:00:02")))) {
      Map<String, Object> p = VmFixtures.minimalPayload(newUuid());
      p.put("nics", nics);
      assertInvalid(p, "");
    }
  }

  @Test
  void create_metadataNotAnObject_isRejected() throws Exception {
    Map<String, Object> p = VmFixtures.minimalPayload(newUuid());
    p.put("customer_metadata", "x=1");
    assertInvalid(p, "customer_metadata must be an object");
  }

  @Test
  void create_missingNics_isEmptyArray() {
    Map<String, Object> p = VmFixtures.minimalPayload(newUuid());
    p.remove("nics");
    String uuid = fx.vms.create(p);
    assertThat(fx.onDisk(uuid)).containsEntry("nics", List.of());
  }

  @Test
  void create_optionKeys_areNotPersisted() {
    Map<String, Object> p = VmFixtures.minimalPayload(newUuid());
    p.put("req_id", "abc");
    p.put("log", "x");
    p.put("include_dni", true);
    String uuid = fx.vms.create(p);
    assertThat(fx.onDisk(uuid)).doesNotContainKeys("req_id", "log", "include_dni");
  }

  private void assertInvalid(Map<String, Object> payload, String message) throws Exception {
    assertThatThrownBy(() -> fx.vms.create(payload)).isInstanceOf(VmException.class)
        .hasMessageContaining(message)
        .extracting(e -> ((VmException) e).restCode()).isEqualTo("ValidationFailed");
    try (var files = Files.list(fx.serverDir(VmFixtures.S).resolve("vms"))) {
      assertThat(files).isEmpty();
    }
    assertThat(fx.vms.size()).isZero();
  }
}
