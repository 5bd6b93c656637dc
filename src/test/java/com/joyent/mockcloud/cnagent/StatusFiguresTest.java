package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures of a status report as CNAPI receives them (docs/cn-agent.md, "Status report
 * figures"): totals from the CN's sysinfo (the harness's CN is a {@code standard} one: 262111 MiB,
 * a 3770 GiB pool), usage from its VM files. Expected values are worked out by hand here.
 */
class StatusFiguresTest {
  static final long MIB = 1L << 20;
  static final long GIB = 1L << 30;
  static final long MEMORY = 262111 * MIB;
  static final long POOL = 3770 * GIB;
  /** swap as large as memory + a 4 GiB dump + 1 GiB of platform datasets. */
  static final long SYSTEM = MEMORY + 4 * GIB + GIB;

  @TempDir Path tmp;
  CnAgentHarness cn;

  @AfterEach
  void tearDown() {
    if (cn != null) {
      cn.close();
    }
  }

  private CnAgentHarness start() throws Exception {
    cn = new CnAgentHarness(tmp, new RecordingCnapi(),
        CnAgentHarness.fastOptions(tmp, Duration.ofSeconds(5), Duration.ofSeconds(60)));
    return cn;
  }

  /** The newest status body CNAPI received that satisfies {@code when}, waiting for one. */
  private Map<?, ?> statusWhere(java.util.function.Predicate<Map<?, ?>> when) throws InterruptedException {
    String path = "/servers/" + cn.uuid() + "/events/status";
    java.util.concurrent.atomic.AtomicReference<Map<?, ?>> found = new java.util.concurrent.atomic.AtomicReference<>();
    boolean ok = Await.until(Duration.ofSeconds(15), () -> {
      List<RecordingCnapi.Received> rs = cn.cnapi.received(r -> r.path().equals(path));
      for (int i = rs.size() - 1; i >= 0; i--) {
        if (when.test((Map<?, ?>) rs.get(i).body())) {
          found.set((Map<?, ?>) rs.get(i).body());
          return true;
        }
      }
      return false;
    });
    assertThat(ok).as("a status report as expected").isTrue();
    return found.get();
  }

  private static Map<?, ?> part(Map<?, ?> body, String key) {
    return (Map<?, ?>) body.get(key);
  }

  private static long num(Map<?, ?> m, String key) {
    return ((Number) m.get(key)).longValue();
  }

  @Test
  void emptyCn_reportsItsSysinfoTotals_andOnlyThePlatformsOwnUse() throws Exception {
    start();
    Map<?, ?> body = statusWhere(b -> true);

    Map<?, ?> mem = part(body, "meminfo");
    assertThat(num(mem, "total_bytes")).isEqualTo(MEMORY);
    // kernel: 1 GiB + 1 % of memory, in whole pages; the ARC holds an eighth of the rest.
    long kernel = (GIB + MEMORY / 100 + 4095) / 4096 * 4096;
    long free = MEMORY - kernel;
    assertThat(num(mem, "arcsize_bytes")).isEqualTo(free / 8 / 4096 * 4096);
    assertThat(num(mem, "availrmem_bytes")).isEqualTo(free - num(mem, "arcsize_bytes"));
    assertThat(num(mem, "availrmem_bytes")).isGreaterThan(MEMORY * 8 / 10); // an empty CN looks empty

    Map<?, ?> disk = part(body, "diskinfo");
    assertThat(num(disk, "pool_size_bytes")).isEqualTo(POOL);
    assertThat(num(disk, "system_used_bytes")).isEqualTo(SYSTEM);
    assertThat(num(disk, "pool_alloc_bytes")).isEqualTo(SYSTEM);
    for (String k : List.of("kvm_zvol_used_bytes", "kvm_zvol_volsize_bytes", "kvm_quota_bytes", "kvm_quota_used_bytes",
        "zone_quota_bytes", "zone_quota_used_bytes", "cores_quota_bytes", "cores_quota_used_bytes",
        "installed_images_used_bytes")) {
      assertThat(num(disk, k)).as(k).isZero();
    }
    Map<?, ?> zones = part(part(body, "zpoolStatus"), "zones");
    assertThat(zones.keySet().stream().map(String::valueOf).toList()).containsExactly("bytes_available", "bytes_used");
    assertThat(num(zones, "bytes_used")).isEqualTo(SYSTEM);
    assertThat(num(zones, "bytes_available")).isEqualTo(POOL - SYSTEM);
  }

  @Test
  void vmsOfEveryBrand_countWhereASmartosCnCountsThem() throws Exception {
    start().awaitRegistered();
    String imageA = UUID.randomUUID().toString();
    String imageK = UUID.randomUUID().toString();
    String imageB = UUID.randomUUID().toString();
    cn.writeVmFixture(vm("joyent-minimal", "running", 1024, 25, imageA, null));
    cn.writeVmFixture(vm("joyent", "stopped", 2048, 10, imageA, null)); // same image: installed once
    cn.writeVmFixture(vm("kvm", "running", 4096, 10, null, List.of(
        Map.of("image_uuid", imageK, "image_size", 10240, "boot", true), Map.of("size", 51200))));
    cn.writeVmFixture(vm("bhyve", "running", 2048, 60, null, List.of(
        Map.of("image_uuid", imageB, "image_size", 10240, "size", 10240, "boot", true), Map.of("size", 40960))));
    Map<String, Object> hidden = vm("joyent", "running", 512, 5, imageA, null);
    hidden.put("do_not_inventory", true);
    cn.writeVmFixture(hidden);

    Map<?, ?> body = statusWhere(b -> num(part(b, "diskinfo"), "cores_quota_bytes") == 500 * GIB);
    // The do_not_inventory VM is not listed, but its memory and disk count.
    assertThat(part(body, "vms")).hasSize(4);

    Map<?, ?> mem = part(body, "meminfo");
    long kernel = (GIB + MEMORY / 100 + 4095) / 4096 * 4096;
    long running = (1024 + 4096 + 2048 + 512) * MIB; // the stopped VM holds no memory
    assertThat(num(mem, "availrmem_bytes") + num(mem, "arcsize_bytes")).isEqualTo(MEMORY - kernel - running);
    assertThat(num(mem, "arcsize_bytes")).isEqualTo((MEMORY - kernel - running) / 8 / 4096 * 4096);

    Map<?, ?> disk = part(body, "diskinfo");
    // kvm: its zvols (10 GiB boot from the image, 50 GiB data) reserved in full; its zone root quota apart.
    assertThat(num(disk, "kvm_zvol_volsize_bytes")).isEqualTo(60 * GIB);
    assertThat(num(disk, "kvm_zvol_used_bytes")).isEqualTo(60 * GIB);
    assertThat(num(disk, "kvm_quota_bytes")).isEqualTo(10 * GIB);
    assertThat(num(disk, "kvm_quota_used_bytes")).isEqualTo(GIB);
    // Zones and bhyve: quotas 25 + 10 + 60 + 5; a tenth written, bhyve's 50 GiB of disks in its zone.
    assertThat(num(disk, "zone_quota_bytes")).isEqualTo(100 * GIB);
    assertThat(num(disk, "zone_quota_used_bytes")).isEqualTo((25 + 10 + 5) * GIB / 10 + 50 * GIB + GIB);
    assertThat(num(disk, "cores_quota_used_bytes")).isZero();
    // Images: A (a zone image, 1 GiB) once, K and B as large as their volumes.
    assertThat(num(disk, "installed_images_used_bytes")).isEqualTo(GIB + 10 * GIB + 10 * GIB);
    long alloc = SYSTEM + 60 * GIB + GIB + 4 * GIB + 51 * GIB + 21 * GIB;
    assertThat(num(disk, "pool_alloc_bytes")).isEqualTo(alloc);
    assertThat(num(disk, "system_used_bytes")).isEqualTo(SYSTEM);
    Map<?, ?> zones = part(part(body, "zpoolStatus"), "zones");
    assertThat(num(zones, "bytes_used")).isEqualTo(alloc);
    assertThat(num(zones, "bytes_available")).isEqualTo(POOL - alloc);
  }

  @Test
  void memory_overcommittedCn_hasNothingAvailable_andTheArcAtItsFloor() {
    Map<String, Object> m = MemoryFigures.meminfo(64 * GIB, 80 * GIB);
    assertThat(m).containsEntry("availrmem_bytes", 0L).containsEntry("arcsize_bytes", 64 * MIB)
        .containsEntry("total_bytes", 64 * GIB);
  }

  @Test
  void sysinfoFigures_readMemoryAsSysinfoWritesIt_andAnUnreadableTotalAsZero() {
    assertThat(SysinfoFigures.of(Map.of("MiB of Memory", "65447", "Zpool Size in GiB", 1050, "Boot Time", "17")))
        .isEqualTo(new SysinfoFigures("17", 65447 * MIB, 1050 * GIB));
    assertThat(SysinfoFigures.of(Map.of("MiB of Memory", "lots", "Zpool Size in GiB", -3)))
        .isEqualTo(new SysinfoFigures(null, 0, 0));
  }

  private static Map<String, Object> vm(String brand, String state, int memoryMib, int quotaGib, String image,
      List<Map<String, Object>> disks) {
    Map<String, Object> vm = new LinkedHashMap<>();
    vm.put("uuid", UUID.randomUUID().toString());
    vm.put("brand", brand);
    vm.put("state", state);
    vm.put("owner_uuid", MachineCreateTaskTest.OWNER);
    vm.put("max_physical_memory", memoryMib);
    vm.put("quota", quotaGib);
    if (image != null) {
      vm.put("image_uuid", image);
    }
    if (disks != null) {
      vm.put("disks", disks);
    }
    vm.put("nics", List.of());
    return vm;
  }
}
