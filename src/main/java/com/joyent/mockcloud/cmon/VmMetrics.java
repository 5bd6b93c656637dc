package com.joyent.mockcloud.cmon;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics of one VM in the families the real cmon-agent exposes for a zone (spec
 * net-agent-cmon-mockcloud.md §4.1): zone_misc, memcap, link, tcp, zone_vfs, cpucap, zfs and
 * time, each preceded by its three meta metrics. Values are synthetic but plausible: sized
 * from the VM (cpu_cap, max_physical_memory, max_swap, quota, NICs), counters driven by the
 * VM's total running time (so they stand still while it is stopped), gauges zero while stopped.
 * Pure: same inputs, same text.
 */
final class VmMetrics {
  private VmMetrics() {}

  static String render(Map<String, Object> vm, double runningSecs, long nowMillis, double lookupSecs) {
    PromText t = new PromText();
    boolean running = "running".equals(vm.get("state"));
    double cores = number(vm.get("cpu_cap"), 100) / 100.0;
    double memBytes = number(vm.get("max_physical_memory"), 256) * 1048576.0;
    double swapBytes = number(vm.get("max_swap"), number(vm.get("max_physical_memory"), 256)) * 1048576.0;
    double wave = 1 + 0.25 * Math.sin(nowMillis / 60000.0); // slow drift so gauges move
    // ∫(1 + 0.25 sin(t/60)) dt over running time: grows with running time, never shrinks.
    double work = runningSecs + 15 * (1 - Math.cos(runningSecs / 60.0));

    meta(t, "zone_misc", lookupSecs);
    t.metric("cpu_user_usage", "counter", "User CPU utilization in nanoseconds", Math.floor(work * cores * 0.12e9));
    t.metric("cpu_sys_usage", "counter", "System CPU usage in nanoseconds", Math.floor(work * cores * 0.04e9));
    t.metric("cpu_wait_time", "counter", "CPU wait time in nanoseconds", Math.floor(work * cores * 0.005e9));
    t.metric("load_average", "gauge", "Load average", running ? round3(cores * 0.16 * wave) : 0);

    meta(t, "memcap", lookupSecs);
    double rss = running ? Math.floor(memBytes * 0.35 * wave) : 0;
    t.metric("mem_agg_usage", "gauge", "Aggregate memory usage in bytes", rss);
    t.metric("mem_anon_alloc_fail", "counter", "Anonymous allocation failure count", 0);
    t.metric("mem_limit", "gauge", "Memory limit in bytes", memBytes);
    t.metric("mem_swap", "gauge", "Swap in bytes", running ? Math.floor(rss * 1.1) : 0);
    t.metric("mem_swap_limit", "gauge", "Swap limit in bytes", swapBytes);

    meta(t, "link", lookupSecs);
    List<Map<String, Object>> nics = nics(vm);
    String[][] link = {
        {"net_agg_packets_in", "Aggregate inbound packets", "25"},
        {"net_agg_packets_out", "Aggregate outbound packets", "20"},
        {"net_agg_bytes_in", "Aggregate inbound bytes", "24000"},
        {"net_agg_bytes_out", "Aggregate outbound bytes", "16000"}};
    for (String[] m : link) {
      t.family(m[0], "counter", m[1]);
      for (int i = 0; i < nics.size(); i++) {
        Map<String, Object> nic = nics.get(i);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("interface", "vnic" + i);
        if (nic.get("nic_tag") instanceof String tag) {
          labels.put("nic_tag", tag);
        }
        if (nic.get("network_uuid") instanceof String net) {
          labels.put("network_uuid", net);
        }
        t.sample(labels, Math.floor(work * Double.parseDouble(m[2]) / (i + 1)));
      }
    }

    meta(t, "tcp", lookupSecs);
    t.metric("tcp_failed_connection_attempt_count", "counter", "Failed connection attempts", Math.floor(work / 900));
    t.metric("tcp_retransmitted_segment_count", "counter", "Retransmitted segments", Math.floor(work / 40));
    t.metric("tcp_duplicate_ack_count", "counter", "Duplicate ACKs", Math.floor(work / 60));
    t.metric("tcp_listen_drop_count", "counter", "Connections dropped from a full queue", 0);
    t.metric("tcp_listen_drop_Qzero_count", "counter", "Connections dropped from a full Q0 queue", 0);
    t.metric("tcp_half_open_drop_count", "counter", "Half-open connections dropped", 0);
    t.metric("tcp_retransmit_timeout_drop_count", "counter", "Connections dropped by retransmit timeout", 0);
    t.metric("tcp_active_open_count", "counter", "Active opens", Math.floor(work / 30));
    t.metric("tcp_passive_open_count", "counter", "Passive opens", Math.floor(work / 20));
    t.metric("tcp_current_established_connections_total", "gauge", "Current established connections",
        running ? Math.round(4 * wave) : 0);

    meta(t, "zone_vfs", lookupSecs);
    t.metric("vfs_bytes_read_count", "counter", "Bytes read", Math.floor(work * 51200));
    t.metric("vfs_bytes_written_count", "counter", "Bytes written", Math.floor(work * 20480));
    t.metric("vfs_read_operation_count", "counter", "Read operations", Math.floor(work * 12));
    t.metric("vfs_write_operation_count", "counter", "Write operations", Math.floor(work * 5));
    t.metric("vfs_wait_time_count", "counter", "Wait time in nanoseconds", Math.floor(work * 2e6));
    t.metric("vfs_wait_length_time_count", "counter", "Wait length time", Math.floor(work * 1e6));
    t.metric("vfs_run_time_count", "counter", "Run time in nanoseconds", Math.floor(work * 8e6));
    t.metric("vfs_run_length_time_count", "counter", "Run length time", Math.floor(work * 4e6));
    t.metric("vfs_elements_wait_state", "gauge", "Elements in wait state", 0);
    t.metric("vfs_elements_run_state", "gauge", "Elements in run state", running ? 1 : 0);

    meta(t, "cpucap", lookupSecs);
    if (vm.get("cpu_cap") instanceof Number cap) {
      double usage = running ? round3(cap.doubleValue() * 0.16 * wave) : 0;
      t.metric("cpucap_above_base_seconds_total", "counter", "Time above baseline in seconds", Math.floor(work * 0.01));
      t.metric("cpucap_above_seconds_total", "counter", "Time above the cap in seconds", 0);
      t.metric("cpucap_baseline_percentage", "gauge", "Baseline CPU percentage", cap.doubleValue());
      t.metric("cpucap_below_seconds_total", "counter", "Time below the cap in seconds", Math.floor(runningSecs));
      t.metric("cpucap_burst_limit_seconds", "gauge", "Burst limit in seconds", 0);
      t.metric("cpucap_effective_percentage", "gauge", "Effective cap percentage", cap.doubleValue());
      t.metric("cpucap_max_usage_percentage", "gauge", "Maximum usage percentage", usage);
      t.metric("cpucap_waiting_threads_count", "gauge", "Threads waiting on the cap", 0);
      t.metric("cpucap_cur_usage_percentage", "gauge", "Current usage percentage", usage);
      t.metric("cpucap_limit_percentage", "gauge", "Cap percentage", cap.doubleValue());
    }

    meta(t, "zfs", lookupSecs);
    double quota = number(vm.get("quota"), 25) * 1073741824.0;
    double used = Math.floor(Math.min(quota * 0.9, quota * 0.05 + work * 4096));
    t.metric("zfs_available", "gauge", "Bytes available", quota - used);
    t.metric("zfs_used", "gauge", "Bytes used", used);
    t.metric("zfs_logicalused", "gauge", "Logical bytes used", Math.floor(used * 1.6));
    t.metric("zfs_recordsize", "gauge", "Record size in bytes", 131072);
    t.metric("zfs_quota", "gauge", "Quota in bytes", quota);
    t.metric("zfs_compressratio", "gauge", "Compression ratio", 1.6);
    t.metric("zfs_refcompressratio", "gauge", "Referenced compression ratio", 1.6);
    t.metric("zfs_referenced", "gauge", "Bytes referenced", used);
    t.metric("zfs_logicalreferenced", "gauge", "Logical bytes referenced", Math.floor(used * 1.6));
    t.metric("zfs_usedbydataset", "gauge", "Bytes used by the dataset", used);
    t.metric("zfs_usedbysnapshots", "gauge", "Bytes used by snapshots", 0);

    timeBlock(t, nowMillis, lookupSecs);
    return t.toString();
  }

  /** The mock cmon-agent's four time metrics (spec §4.3), time_of_day in whole seconds. */
  static void timeBlock(PromText t, long nowMillis, double lookupSecs) {
    t.metric("time_metrics_available_boolean", "gauge", "Whether time metrics were available, 0 = false, 1 = true", 1);
    t.metric("time_metrics_cached_boolean", "gauge", "Whether time metrics came from cache, 0 = false, 1 = true", 0);
    t.metric("time_metrics_timer_seconds", "gauge", "How long it took to gather the time metrics", lookupSecs);
    t.metric("time_of_day", "counter", "System time in seconds since epoch", nowMillis / 1000);
  }

  static void meta(PromText t, String collector, double secs) {
    t.metric(collector + "_metrics_available_boolean", "gauge",
        "Whether " + collector + " metrics were available, 0 = false, 1 = true", 1);
    t.metric(collector + "_metrics_cached_boolean", "gauge",
        "Whether " + collector + " metrics came from cache, 0 = false, 1 = true", 0);
    t.metric(collector + "_metrics_timer_seconds", "gauge",
        "How long it took to gather the " + collector + " metrics", secs);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> nics(Map<String, Object> vm) {
    if (vm.get("nics") instanceof List<?> l) {
      return l.stream().filter(n -> n instanceof Map).map(n -> (Map<String, Object>) n).toList();
    }
    return List.of();
  }

  static double number(Object v, double fallback) {
    return v instanceof Number n ? n.doubleValue() : fallback;
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
