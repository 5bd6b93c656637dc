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
    if (!extras.isEmpty()) {
      out.put("last_heartbeat", lastHeartbeat);
    }
    if (all || extras.contains("capacity")) {
      addCapacity(out, rec);
    }
    return out;
  }

  /** {@code GET /servers/:uuid}: everything, last_heartbeat, and DAPI's capacity keys. */
  static Map<String, Object> single(Map<String, Object> rec, String lastHeartbeat) {
    Map<String, Object> out = new LinkedHashMap<>(rec);
    out.put("last_heartbeat", lastHeartbeat);
    out.put("score", 0);
    Map<String, Object> ratios = new LinkedHashMap<>();
    ratios.put("cpu", 4);
    ratios.put("ram", 1);
    ratios.put("disk", 1);
    out.put("overprovision_ratios", ratios);
    addCapacity(out, rec);
    return out;
  }

  /**
   * DAPI's {@code unreserved_*} for the simple case of a mock CN (no overprovisioning tricks):
   * cpu = 100 × {@code CPU Total Cores} − Σ cpu_cap; ram (MiB) = total × (1 − reservation_ratio)
   * − Σ max_physical_memory, total from {@code memory_total_bytes} (else {@code ram}); disk
   * (MiB) = 94 % of the pool (ZFS keeps 6 %) − allocated. These reproduce the golden trace.
   */
  private static void addCapacity(Map<String, Object> out, Map<String, Object> rec) {
    Map<?, ?> sysinfo = rec.get("sysinfo") instanceof Map<?, ?> m ? m : Map.of();
    Integer cores = Values.parseInt(sysinfo.get("CPU Total Cores"));
    long cpu = cores == null ? 0 : cores * 100L;
    double vmRamMib = 0;
    if (rec.get("vms") instanceof Map<?, ?> vms) {
      for (Object vm : vms.values()) {
        if (vm instanceof Map<?, ?> v && v.get("cpu_cap") instanceof Number n) {
          cpu -= n.longValue();
        }
        if (vm instanceof Map<?, ?> v && v.get("max_physical_memory") instanceof Number n) {
          vmRamMib += n.doubleValue();
        }
      }
    }
    double totalMib = rec.get("memory_total_bytes") instanceof Number n ? n.doubleValue() / ServerStore.MIB
        : rec.get("ram") instanceof Number r ? r.doubleValue() : 0;
    double ratio = rec.get("reservation_ratio") instanceof Number n ? n.doubleValue() : 0.15;
    long ram = (long) Math.floor(totalMib * (1 - ratio) - vmRamMib);
    long disk = 0;
    if (rec.get("disk_pool_size_bytes") instanceof Number size) {
      double used = rec.get("disk_pool_alloc_bytes") instanceof Number a ? a.doubleValue() : 0;
      disk = (long) Math.floor((size.doubleValue() * 0.94 - used) / ServerStore.MIB);
    }
    out.put("unreserved_cpu", cpu);
    out.put("unreserved_ram", ram);
    out.put("unreserved_disk", disk);
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
