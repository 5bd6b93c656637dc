package com.joyent.mockcloud.cnagent;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /servers/<uuid>/events/status} (spec §4.5): the dummy backend's
 * fixed usage figures, {@code boot_time} from sysinfo's {@code Boot Time}, and the CN's
 * VMs in the smartos backend's shape (the reference's empty map was a limitation).
 */
final class StatusSample {
  private StatusSample() {}

  static Map<String, Object> build(Map<String, Object> vms, String bootTimeEpochSecs, Instant now) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("vms", vms);
    Map<String, Object> zones = new LinkedHashMap<>();
    zones.put("bytes_available", 3298534883328L);
    zones.put("bytes_used", 42);
    s.put("zpoolStatus", Map.of("zones", zones));
    Map<String, Object> mem = new LinkedHashMap<>();
    mem.put("availrmem_bytes", 274877906944L);
    mem.put("arcsize_bytes", 42);
    mem.put("total_bytes", 274877906944L);
    s.put("meminfo", mem);
    Map<String, Object> disk = new LinkedHashMap<>();
    for (String k : new String[] {"kvm_zvol_used_bytes", "kvm_zvol_volsize_bytes", "kvm_quota_bytes",
        "kvm_quota_used_bytes", "zone_quota_bytes", "zone_quota_used_bytes", "cores_quota_bytes",
        "cores_quota_used_bytes", "installed_images_used_bytes"}) {
      disk.put(k, 0);
    }
    disk.put("pool_size_bytes", 1099511627776L);
    disk.put("pool_alloc_bytes", 549755813888L);
    disk.put("system_used_bytes", 268435456);
    s.put("diskinfo", disk);
    s.put("boot_time", Iso.format(Instant.ofEpochSecond(parseEpoch(bootTimeEpochSecs))));
    s.put("timestamp", Iso.format(now));
    return s;
  }

  private static final List<String> VM_KEYS = List.of("brand", "cpu_cap", "last_modified", "max_physical_memory",
      "owner_uuid", "quota", "state", "uuid", "zone_state");
  /** What a status report reads of each VM: its keys and whether it is to be left out. */
  static final List<String> VM_KEYS_AND_DNI = java.util.stream.Stream.concat(VM_KEYS.stream(),
      java.util.stream.Stream.of("do_not_inventory")).toList();

  /** The status {@code vms} entry of one VM: the nine keys smartos cn-agent sends. */
  static Map<String, Object> vmEntry(Map<String, Object> vm) {
    Map<String, Object> e = new LinkedHashMap<>();
    for (String k : VM_KEYS) {
      if (vm.containsKey(k)) {
        e.put(k, vm.get(k));
      }
    }
    return e;
  }

  private static long parseEpoch(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException | NullPointerException e) {
      return 0;
    }
  }
}
