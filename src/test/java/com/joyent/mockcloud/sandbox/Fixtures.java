package com.joyent.mockcloud.sandbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Sysinfo and bodies shaped like the golden traces (cn-agent.md Appendix B). */
final class Fixtures {
  static final String CN_A = "23a9fa13-310d-4636-b0c3-3d5e6a4fc516";
  static final String CN_B = "80942a5e-8f44-41a0-b662-e9f084e046b7";
  static final String VM_1 = "c0c68b11-ef3b-49cf-bd65-20f39347ec3b";

  private Fixtures() {}

  static Map<String, Object> sysinfo(String uuid, String agentIp, int agentPort) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("System Type", "Virtual");
    s.put("Setup", "true");
    s.put("CPU Total Cores", 32);
    s.put("MiB of Memory", "262111");
    s.put("Boot Parameters", Map.of("console", "ttyb", "boot_args", "", "bootargs", ""));
    s.put("SDC Agents", List.of());
    Map<String, Object> dnet0 = new LinkedHashMap<>();
    dnet0.put("ip4addr", "10.99.0.10");
    dnet0.put("Link Status", "up");
    dnet0.put("NIC Names", List.of("admin"));
    dnet0.put("MAC Address", "00:10:fe:3a:9f:21");
    Map<String, Object> dnet1 = new LinkedHashMap<>();
    dnet1.put("ip4addr", "");
    dnet1.put("Link Status", "up");
    dnet1.put("NIC Names", List.of("sdc_underlay"));
    dnet1.put("MAC Address", "00:10:fe:07:c4:e8");
    s.put("Network Interfaces", Map.of("dnet0", dnet0, "dnet1", dnet1));
    s.put("Datacenter Name", "sandbox");
    s.put("UUID", uuid);
    s.put("Admin IP", "10.99.0.10");
    s.put("Live Image", "20210101T000000Z");
    s.put("Boot Time", "1764064414");
    s.put("Hostname", "VC" + uuid.substring(0, 8).toUpperCase());
    s.put("Zpool Creation", 1764064414);
    s.put("CN Agent Port", agentPort);
    s.put("CN Agent IP", agentIp);
    return s;
  }

  static Map<String, Object> statusBody() {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("vms", Map.of());
    b.put("zpoolStatus", Map.of("zones", Map.of("bytes_available", 3298534883328L, "bytes_used", 42)));
    Map<String, Object> mem = new LinkedHashMap<>();
    mem.put("availrmem_bytes", 274877906944L);
    mem.put("arcsize_bytes", 42);
    mem.put("total_bytes", 274877906944L);
    b.put("meminfo", mem);
    Map<String, Object> disk = new LinkedHashMap<>();
    for (String k : ServerStore.DISK_KEYS) {
      disk.put(k, 0);
    }
    disk.put("pool_size_bytes", 1099511627776L);
    disk.put("pool_alloc_bytes", 549755813888L);
    b.put("diskinfo", disk);
    b.put("boot_time", "2026-11-25T09:13:34.000Z");
    b.put("timestamp", "2026-11-25T09:14:00.000Z");
    return b;
  }

  static Map<String, Object> vm(String uuid, String server, String state) {
    Map<String, Object> vm = new LinkedHashMap<>();
    vm.put("uuid", uuid);
    vm.put("brand", "joyent-minimal");
    vm.put("image_uuid", "cccccccc-0000-4000-8000-000000000001");
    vm.put("owner_uuid", SandboxOptions.DEFAULT_ADMIN_UUID);
    vm.put("max_physical_memory", 128);
    vm.put("quota", 10);
    vm.put("cpu_cap", 100);
    vm.put("alias", "h1");
    vm.put("state", state);
    vm.put("zone_state", state);
    vm.put("server_uuid", server);
    vm.put("create_timestamp", "2026-11-25T09:14:10.000Z");
    vm.put("zonename", uuid);
    vm.put("datacenter_name", "sandbox");
    vm.put("pid", 95683);
    vm.put("last_modified", 1764064450000L);
    return vm;
  }
}
