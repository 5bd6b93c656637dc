package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.testing.TestClock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox CNAPI's {@code unreserved_*} against DAPI's arithmetic (sdc-designation
 * calculate-server-unreserved with override-overprovisioning's ratios cpu 4, ram 1, disk 1),
 * worked out by hand from a status report CNAPI received.
 */
class CnapiCapacityTest {
  private static final String CN = Fixtures.CN_A;
  private static final long GIB = 1L << 30;
  private Sandbox sandbox;
  private String cnapi;

  @BeforeEach
  void start() {
    sandbox = Sandbox.start(SandboxOptions.defaults().withClock(TestClock.frozen()));
    cnapi = sandbox.cnapiUrl();
    TestHttp.post(cnapi + "/servers/" + CN + "/sysinfo", Map.of("sysinfo", Fixtures.sysinfo(CN, "127.0.0.1", 5309)));
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  private Map<String, Object> capacity(Map<String, Object> vms, Map<String, Object> diskinfo) {
    Map<String, Object> body = Fixtures.statusBody();
    body.put("vms", vms);
    Map<String, Object> mem = new LinkedHashMap<>();
    mem.put("availrmem_bytes", 200L * GIB);
    mem.put("arcsize_bytes", 20L * GIB);
    mem.put("total_bytes", 262111L << 20);
    body.put("meminfo", mem);
    body.put("diskinfo", diskinfo);
    assertThat(TestHttp.post(cnapi + "/servers/" + CN + "/events/status", body).status()).isEqualTo(204);
    return TestHttp.get(cnapi + "/servers?extras=capacity").array().get(0);
  }

  private static Map<String, Object> vm(String brand, Integer cpuCap, int memoryMib, String state) {
    Map<String, Object> vm = new LinkedHashMap<>();
    vm.put("brand", brand);
    if (cpuCap != null) {
      vm.put("cpu_cap", cpuCap);
    }
    vm.put("max_physical_memory", memoryMib);
    vm.put("state", state);
    return vm;
  }

  private static Map<String, Object> disk(long pool, long alloc, long system, long images, long coresUsed,
      long kvmVolsize, long zoneQuota) {
    Map<String, Object> d = new LinkedHashMap<>();
    for (String k : ServerStore.DISK_KEYS) {
      d.put(k, 0L);
    }
    d.put("pool_size_bytes", pool);
    d.put("pool_alloc_bytes", alloc);
    d.put("system_used_bytes", system);
    d.put("installed_images_used_bytes", images);
    d.put("cores_quota_used_bytes", coresUsed);
    d.put("kvm_zvol_volsize_bytes", kvmVolsize);
    d.put("zone_quota_bytes", zoneQuota);
    return d;
  }

  @Test
  void unreserved_followsDapi_quotasZvolsAndAQuarterOfEachCpuCap() {
    Map<String, Object> vms = new LinkedHashMap<>();
    vms.put("a", vm("kvm", 200, 1024, "running"));
    vms.put("b", vm("joyent", 100, 512, "stopped"));
    vms.put("c", vm("joyent", 400, 8192, "failed")); // a failed VM holds nothing
    Map<String, Object> s = capacity(vms, disk(1000 * GIB, 50 * GIB, 10 * GIB, 2 * GIB, GIB, 20 * GIB, 25 * GIB));
    // cpu: 32 cores × 100 − (200 + 100) / 4.
    assertThat(s).containsEntry("unreserved_cpu", 3125);
    // ram: 262111 MiB × 0.85 − 1024 − 512, rounded down.
    assertThat(s).containsEntry("unreserved_ram", 221258);
    // disk: 94 % of 1000 GiB − system 10 − images 2 − cores 1 − (kvm zvols 20 + 10 per kvm VM) − zone quotas 25
    // = 872 GiB, below the pool's free 940 − 50 = 890 GiB.
    assertThat(s).containsEntry("unreserved_disk", 872 * 1024);
  }

  @Test
  void unreservedDisk_isNeverMoreThanThePoolHasFree() {
    Map<String, Object> s = capacity(Map.of(), disk(1000 * GIB, 900 * GIB, 10 * GIB, 0, 0, 0, 0));
    assertThat(s).containsEntry("unreserved_disk", 40 * 1024); // 940 − 900 GiB
  }

  @Test
  void unreservedCpu_anUncappedVmResetsItToZero_asDapiDoes() {
    Map<String, Object> vms = new LinkedHashMap<>();
    vms.put("a", vm("joyent", 100, 128, "running"));
    vms.put("b", vm("joyent", null, 128, "running"));
    vms.put("c", vm("joyent", 200, 128, "running"));
    Map<String, Object> s = capacity(vms, disk(1000 * GIB, 50 * GIB, 10 * GIB, 0, 0, 0, 0));
    assertThat(s).containsEntry("unreserved_cpu", -50);
  }
}
