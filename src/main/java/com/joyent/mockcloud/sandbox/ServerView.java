package com.joyent.mockcloud.sandbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How CNAPI renders a server record (triton-apis.md §2.8): which key groups {@code extras}
 * keeps, the derived {@code last_heartbeat}, the DAPI capacity keys, and the {@code fields}
 * post-filter. Pure functions over copies.
 */
final class ServerView {
  static final Set<String> EXTRAS = Set.of("agents", "vms", "memory", "disk", "sysinfo", "capacity",
      "last_heartbeat", "status", "all");

  /** DAPI's fudge for ZFS metadata: only this share of the pool holds datasets. */
  static final double POOL_USABLE_RATIO = 0.94;
  /** override-overprovisioning's fixed cpu ratio (ram and disk are 1). */
  static final double CPU_OVERPROVISION = 4;
  private static final double GIB = 1024.0 * 1024 * 1024;

  private ServerView() {}

  /** A record of {@code GET /servers}: {@code rec} already carries the derived status. */
  static Map<String, Object> listEntry(Map<String, Object> rec, Set<String> extras, String lastHeartbeat) {
    boolean all = extras.contains("all");
    Map<String, Object> out = new LinkedHashMap<>(rec);
    if (!all) {
      if (!extras.contains("sysinfo")) {
        out.remove("sysinfo");
      }
      if (!extras.contains("vms")) {
        out.remove("vms");
      }
      if (!extras.contains("agents")) {
        out.remove("agents");
      }
      if (!extras.contains("memory")) {
        out.keySet().removeIf(k -> k.startsWith("memory_"));
      }
      if (!extras.contains("disk")) {
        out.keySet().removeIf(k -> k.startsWith("disk_"));
      }
    }
    boolean capacity = all || extras.contains("capacity");
    Map<String, Object> vms = out.containsKey("vms") || capacity ? ReportedVms.vmsOf(rec) : Map.of();
    if (out.containsKey("vms")) {
      out.put("vms", vms);
    }
    if (!extras.isEmpty()) {
      out.put("last_heartbeat", lastHeartbeat);
    }
    if (capacity) {
      addCapacity(out, rec, vms);
    }
    return out;
  }

  /** {@code GET /servers/:uuid}: everything, last_heartbeat, and DAPI's capacity keys. */
  static Map<String, Object> single(Map<String, Object> rec, String lastHeartbeat) {
    Map<String, Object> out = new LinkedHashMap<>(rec);
    Map<String, Object> vms = ReportedVms.vmsOf(rec);
    out.put("vms", vms);
    out.put("last_heartbeat", lastHeartbeat);
    out.put("score", 0);
    if (!(rec.get("overprovision_ratios") instanceof Map<?, ?>)) {
      // Never set by ServerUpdate: what a set-up server of the reference DC showed.
      Map<String, Object> ratios = new LinkedHashMap<>();
      ratios.put("cpu", 4);
      ratios.put("ram", 1);
      ratios.put("disk", 1);
      out.put("overprovision_ratios", ratios);
    }
    addCapacity(out, rec, vms);
    return out;
  }

  /**
   * DAPI's {@code unreserved_*} as CNAPI's ServerGet and capacity listing compute them
   * (sdc-designation calculate-server-unreserved, after override-overprovisioning has set the
   * ratios to cpu 4, ram 1, disk 1): cpu = 100 × cores − Σ cpu_cap / 4 (a VM without a cap
   * resets it to 0); ram (MiB) = total × (1 − reservation_ratio) − Σ max_physical_memory;
   * disk (MiB) as {@link #unreservedDiskMib}. Failed VMs count for nothing.
   */
  private static void addCapacity(Map<String, Object> out, Map<String, Object> rec, Map<String, Object> vms) {
    Map<?, ?> sysinfo = rec.get("sysinfo") instanceof Map<?, ?> m ? m : Map.of();
    Integer cores = Values.parseInt(sysinfo.get("CPU Online Count") != null ? sysinfo.get("CPU Online Count")
        : sysinfo.get("CPU Total Cores"));
    double cpu = cores == null ? 0 : cores * 100.0;
    double totalMib = rec.get("memory_total_bytes") instanceof Number n ? n.doubleValue() / ServerStore.MIB
        : rec.get("ram") instanceof Number r ? r.doubleValue() : 0;
    double ratio = rec.get("reservation_ratio") instanceof Number n ? n.doubleValue() : 0.15;
    double ram = totalMib * (1 - ratio);
    int kvms = 0;
    for (Object o : vms.values()) {
      if (!(o instanceof Map<?, ?> vm)) {
        continue;
      }
      boolean failed = "failed".equals(vm.get("state"));
      if (vm.get("cpu_cap") instanceof Number cap && cap.doubleValue() != 0) {
        cpu -= failed ? 0 : cap.doubleValue() / CPU_OVERPROVISION;
      } else {
        cpu = 0; // as DAPI: an uncapped VM may take every CPU (VMs after it still subtract)
      }
      if (!failed && vm.get("max_physical_memory") instanceof Number mpm) {
        ram -= mpm.doubleValue();
      }
      if ("kvm".equals(vm.get("brand"))) {
        kvms++;
      }
    }
    out.put("unreserved_cpu", (long) Math.floor(cpu));
    out.put("unreserved_ram", (long) Math.floor(ram));
    out.put("unreserved_disk", unreservedDiskMib(rec, kvms));
  }

  /**
   * DAPI's disk arithmetic (calcUnreservedDisk, disk overprovision ratio 1): 94 % of the pool
   * (ZFS metadata takes the rest) less the system's, the images' and the cores' used space, the
   * kvm zvols' sizes plus 10 GiB per kvm VM, and the zones' quotas; never more than the pool's
   * free space (94 % of the pool less what is allocated). In MiB, rounded down.
   */
  static long unreservedDiskMib(Map<String, Object> rec, int kvms) {
    double pool = bytes(rec, "disk_pool_size_bytes") * POOL_USABLE_RATIO;
    double unreserved = pool - bytes(rec, "disk_system_used_bytes") - bytes(rec, "disk_installed_images_used_bytes")
        - bytes(rec, "disk_cores_quota_used_bytes")
        - (bytes(rec, "disk_kvm_zvol_volsize_bytes") + kvms * 10.0 * GIB)
        - bytes(rec, "disk_zone_quota_bytes");
    double poolFree = pool - bytes(rec, "disk_pool_alloc_bytes");
    return (long) Math.floor(Math.min(unreserved, poolFree) / ServerStore.MIB);
  }

  private static double bytes(Map<String, Object> rec, String key) {
    return rec.get(key) instanceof Number n ? n.doubleValue() : 0;
  }

  /** Keeps only the named top-level keys (in the record's order). */
  static Map<String, Object> fields(Map<String, Object> rendered, List<String> fields) {
    if (fields.isEmpty()) {
      return rendered;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    rendered.forEach((k, v) -> {
      if (fields.contains(k)) {
        out.put(k, v);
      }
    });
    return out;
  }
}
