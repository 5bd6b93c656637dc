package com.joyent.mockcloud.cmon;

import java.util.Map;

/**
 * Global-zone metrics of one mock CN (spec net-agent-cmon-mockcloud.md §4.1, GZ collectors):
 * cpu_info, cpu_util per CPU, a subset of arcstats, zpool, and the time block, sized from the
 * CN's sysinfo and its VMs' memory. Counters follow the CN's uptime (its {@code Boot Time}).
 */
final class GzMetrics {
  private GzMetrics() {}

  static String render(Map<String, Object> sysinfo, long vmMemoryBytes, long nowMillis, double lookupSecs) {
    PromText t = new PromText();
    long boot = parseLong(sysinfo.get("Boot Time"), nowMillis / 1000);
    double uptime = Math.max(0, nowMillis / 1000.0 - boot);
    int cpus = (int) VmMetrics.number(sysinfo.get("CPU Total Cores"), 1);
    double memBytes = parseLong(sysinfo.get("MiB of Memory"), 1024) * 1048576.0;
    double poolBytes = VmMetrics.number(sysinfo.get("Zpool Size in GiB"), 100) * 1073741824.0;
    double busy = Math.min(0.9, 0.05 + vmMemoryBytes / Math.max(1, memBytes));

    VmMetrics.meta(t, "cpu_info", lookupSecs);
    t.family("cpu_info_model", "gauge", "CPU model information");
    t.sample(Map.of("model", String.valueOf(sysinfo.getOrDefault("CPU Type", "unknown"))), 1);

    VmMetrics.meta(t, "cpu_util", lookupSecs);
    String[][] util = {
        {"cpu_idle_seconds_total", "CPU idle time in seconds"},
        {"cpu_kernel_seconds_total", "CPU kernel time in seconds"},
        {"cpu_user_seconds_total", "CPU user time in seconds"},
        {"cpu_dtrace_seconds_total", "CPU DTrace time in seconds"}};
    double[] share = {1 - busy, busy * 0.3, busy * 0.7, 0};
    for (int m = 0; m < util.length; m++) {
      t.family(util[m][0], "counter", util[m][1]);
      for (int c = 0; c < cpus; c++) {
        t.sample(Map.of("cpu_id", Integer.toString(c)), Math.floor(uptime * share[m]));
      }
    }

    VmMetrics.meta(t, "arcstats", lookupSecs);
    double arc = Math.floor(memBytes * 0.1);
    t.metric("arcstats_size", "gauge", "ARC size in bytes", arc);
    t.metric("arcstats_c", "gauge", "ARC target size in bytes", arc);
    t.metric("arcstats_c_max", "gauge", "ARC maximum size in bytes", Math.floor(memBytes * 0.9));
    t.metric("arcstats_c_min", "gauge", "ARC minimum size in bytes", Math.floor(memBytes / 64));
    t.metric("arcstats_hits", "counter", "ARC hits", Math.floor(uptime * 900));
    t.metric("arcstats_misses", "counter", "ARC misses", Math.floor(uptime * 30));

    VmMetrics.meta(t, "zpool", lookupSecs);
    Map<String, String> pool = Map.of("pool", String.valueOf(sysinfo.getOrDefault("Zpool", "zones")));
    double alloc = Math.floor(poolBytes * Math.min(0.9, 0.02 + vmMemoryBytes * 4.0 / poolBytes));
    t.family("zpool_allocated_bytes", "gauge", "Bytes allocated in the pool").sample(pool, alloc);
    t.family("zpool_fragmentation_percent", "gauge", "Pool fragmentation percentage").sample(pool, 3);
    t.family("zpool_health_status", "gauge", "Pool health, 0 = ONLINE").sample(pool, 0);
    t.family("zpool_size_bytes", "gauge", "Pool size in bytes").sample(pool, poolBytes);

    VmMetrics.timeBlock(t, nowMillis, lookupSecs);
    return t.toString();
  }

  private static long parseLong(Object v, long fallback) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(String.valueOf(v));
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
