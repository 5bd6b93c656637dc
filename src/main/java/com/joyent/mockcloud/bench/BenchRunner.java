package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.json.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a benchmark (or the marginal-memory pair of runs), prints the table, writes the JSON. */
public final class BenchRunner {
  private static final int NAME_WIDTH = 56;
  /** Column heads of the CPU table, by JSON key. */
  private static final Map<String, String> COLUMNS = Map.of("run_servers", "run-servers",
      "cnapi_vmapi_receiver", "CNAPI+VMAPI", "napi_receiver", "NAPI", CpuMeter.SELF, "bench",
      "cpu_hog", "CPU hog", "other_processes", "other procs", "machine", "machine");
  private final PrintWriter out;

  public BenchRunner(PrintWriter out) {
    this.out = out;
  }

  public int run(BenchOptions o, boolean marginal) throws Exception {
    Map<String, Object> result;
    if (marginal) {
      Map<String, Object> small = new Bench(o.withServers(1000, 0, 20, 0), out).run();
      Map<String, Object> large = new Bench(o.withServers(2000, 0, 20, 0), out).run();
      result = new LinkedHashMap<>();
      result.put("at_1000", small);
      result.put("at_2000", large);
      double rss = ((Number) large.get("rss_mb")).doubleValue() - ((Number) small.get("rss_mb")).doubleValue();
      double heap = ((Number) large.get("heap_used_after_gc_mb")).doubleValue()
          - ((Number) small.get("heap_used_after_gc_mb")).doubleValue();
      result.put("marginal_rss_per_cn_kb", Bench.round(rss * 1024 / 1000));
      result.put("marginal_heap_per_cn_kb", Bench.round(heap * 1024 / 1000));
      out.printf("%nmarginal memory per CN (no VMs, 2,000 vs 1,000 CNs, after a full GC):%n");
      out.printf("  RSS  %8.1f KB per CN   (target <= 43 KB; the Node reference: ~430 KB)%n",
          result.get("marginal_rss_per_cn_kb"));
      out.printf("  heap %8.1f KB per CN%n", result.get("marginal_heap_per_cn_kb"));
    } else {
      result = new Bench(o, out).run();
      printTable(result);
    }
    Path json = o.jsonOut().toAbsolutePath();
    AtomicFiles.write(json, Json.prettyBytes(result, 2), false);
    out.println("results written to " + json);
    out.flush();
    return 0;
  }

  @SuppressWarnings("unchecked")
  private void printTable(Map<String, Object> r) {
    out.printf("%n%-" + NAME_WIDTH + "s %s%n", "measure", "value");
    row("CNs x VMs", r.get("servers") + " x " + r.get("vms_per_server"));
    row("run-servers JVM", r.get("run_servers_jvm"));
    row("fleet generation (s)", r.get("generate_s"));
    if (r.get("napi_seed_s") != null) {
      row("NICs seeded in NAPI / seconds", r.get("napi_seeded_nics") + " / " + r.get("napi_seed_s"));
    }
    row("all CNs registered after (s)", r.get("all_registered_s"));
    row("all VMs in VMAPI (vm-agent sync) after (s)", r.get("vm_agents_synced_s"));
    if (r.get("idle_hold_s") != null) {
      row("idle hold (s)", r.get("idle_hold_s"));
    }
    heartbeatRows("start-up", null, (Map<String, Object>) r.get("heartbeat_lag_startup"));
    heartbeatRows("idle", (Map<String, Object>) r.get("heartbeats_idle"), (Map<String, Object>) r.get("heartbeat_lag_idle"));
    oversizedRows((Map<String, Object>) r.get("oversized_bodies"));
    if (r.get("napi_changefeed") != null) {
      row("NAPI changefeed / registrations (sockets)", (Boolean.TRUE.equals(r.get("napi_changefeed")) ? "on" : "off")
          + " / " + (r.get("changefeed_registrations") == null ? "-" : r.get("changefeed_registrations"))
          + (r.get("changefeed_listeners") == null ? "" : " (" + r.get("changefeed_listeners") + ")"));
    }
    if (r.get("run_servers_changefeed") instanceof Map<?, ?> cf) {
      String asked = cf.get("asked") == null ? "not passed" : String.valueOf(cf.get("asked"));
      row("run-servers --changefeed asked / used", asked + " / " + (cf.get("used") == null ? "-" : cf.get("used")));
    }
    if (r.get("api_requests_idle") instanceof Map<?, ?> req && !req.isEmpty()) {
      StringBuilder b = new StringBuilder();
      req.forEach((api, v) -> b.append(b.length() == 0 ? "" : ", ").append(api).append(' ')
          .append(((Map<?, ?>) v).get("per_s")));
      row("requests at the receiver per s, idle", b);
    }
    if (r.get("fwapi_rules") != null) {
      row("FWAPI rules / firewallers connected to its push", r.get("fwapi_rules") + " / "
          + (r.get("fwapi_connected_firewallers") == null ? "-" : r.get("fwapi_connected_firewallers")));
    }
    row("RSS (MB) / per CN (KB)", r.get("rss_mb") + " / " + r.get("rss_per_cn_kb"));
    row("heap used after full GC (MB) / per CN (KB)", r.get("heap_used_after_gc_mb") + " / " + r.get("heap_per_cn_kb"));
    row("run-servers CPU idle, whole hold / 2nd half (%)", r.get("cpu_idle_pct_of_core") + " / "
        + r.get("cpu_idle_second_half_pct_of_core"));
    row("open file descriptors / threads", r.get("open_fds") + " / " + r.get("threads"));
    if (r.get("own_objects_by_package") instanceof Map<?, ?> own && own.get("behaviour") instanceof Map<?, ?> b) {
      row("behaviour objects, instances / shallow KB", b.get("instances") + " / " + b.get("shallow_kb"));
    }
    Map<String, Object> mix = (Map<String, Object>) r.get("task_mix");
    if (mix != null) {
      row("task mix: rate (tasks/s) / sent / failed", mix.get("rate_per_s") + " / " + mix.get("sent") + " / " + mix.get("failed"));
      if (mix.get("failures_sample") instanceof List<?> f && !f.isEmpty()) {
        f.forEach(x -> out.printf("  failed: %s%n", x));
      }
      row("task latency p50 / p99 / max (ms)", mix.get("latency_p50_ms") + " / " + mix.get("latency_p99_ms") + " / "
          + mix.get("latency_max_ms"));
      row("run-servers CPU under the task mix (%)", mix.get("cpu_pct_of_core"));
      if (mix.get("cpu_hog") instanceof Map<?, ?> hog) {
        row("CPU hog, asked / measured (% of one core)", hog.get("requested_pct_of_core") + " / "
            + hog.get("measured_pct_of_core"));
      }
      heartbeatRows("mix", (Map<String, Object>) mix.get("heartbeats"), (Map<String, Object>) mix.get("heartbeat_lag"));
      row("threads under the task mix", mix.get("threads"));
    }
    row("run-servers exit status on SIGTERM", r.get("run_servers_exit_on_sigterm"));
    cpuTable(r, mix);
  }

  /** The receiver's gaps (what CNAPI saw) beside run-servers' own counts and lag (what it did). */
  private void heartbeatRows(String window, Map<String, Object> gaps, Map<String, Object> lag) {
    if (gaps != null && gaps.containsKey("p50_ms")) {
      row("heartbeat gap at CNAPI p50 / p99 / max (ms), " + window,
          gaps.get("p50_ms") + " / " + gaps.get("p99_ms") + " / " + gaps.get("max_ms"));
      row("CNs that went > 11 s without one, " + window, gaps.get("over_11s")
          + (gaps.get("over_11s_began_before") instanceof Number n && n.longValue() > 0
              ? " (" + n + " of them silent since before the window)" : "")
          + " (+" + gaps.get("stale_now") + " stale now)");
    } else if (gaps != null && gaps.get("note") != null) {
      row("heartbeat gap at CNAPI, " + window, gaps.get("note"));
    }
    if (lag == null) {
      return;
    }
    if (lag.containsKey("sent")) {
      row("run-servers heartbeats sent/answered/failed/late, " + window, HeartbeatLag.countsCell(lag));
    }
    if (lag.containsKey("lag_count")) {
      row("run-servers heartbeat lag p50 / p99 (ms), " + window, HeartbeatLag.lagCell(lag));
    }
    String answer = HeartbeatLag.answerCell(lag);
    if (answer != null) {
      row("run-servers heartbeat answer time p50 / p99 (ms), " + window, answer);
    }
    if (lag.get("note") != null) {
      row("run-servers heartbeat lag, " + window, lag.get("note"));
    }
  }

  /** The oversized bodies sent during the idle hold: what came back, how fast, and the heartbeats' verdict. */
  private void oversizedRows(Map<String, Object> ob) {
    if (ob == null) {
      return;
    }
    row("oversized bodies: sent x MiB (content-length + chunked)", ob.get("sent") + " x " + ob.get("body_mb") + " ("
        + ob.get("content_length") + " + " + ob.get("chunked") + "), " + ob.get("at_s_into_hold") + " s into the hold");
    row("oversized bodies: 413 / 413 then closed / other", ob.get("answered_413") + " / " + ob.get("closed_after_413")
        + " / " + ob.get("other"));
    if (ob.get("other_sample") instanceof List<?> f && !f.isEmpty()) {
      f.forEach(x -> out.printf("  other: %s%n", x));
    }
    row("oversized bodies: time to the answer p50 / max (ms)", ob.get("p50_ms") + " / " + ob.get("max_ms"));
    Object ok = ob.get("heartbeats_in_bounds");
    row("heartbeats, idle window with the oversized bodies", ok == null ? "- (no heartbeat figures)"
        : Boolean.TRUE.equals(ok) ? "in bounds" : "OUT OF BOUNDS: " + String.join("; ",
            ((List<?>) ob.get("heartbeats_out_of_bounds")).stream().map(String::valueOf).toList()));
  }

  /** Where the machine's CPU went, per window: one column per process of the run. */
  @SuppressWarnings("unchecked")
  private void cpuTable(Map<String, Object> r, Map<String, Object> mix) {
    Map<String, Object> idle = (Map<String, Object>) r.get("cpu_idle_by_process");
    Map<String, Object> half = (Map<String, Object>) r.get("cpu_idle_second_half_by_process");
    Map<String, Object> busy = mix == null ? null : (Map<String, Object>) mix.get("cpu_by_process");
    if (idle == null) {
      return;
    }
    List<String> keys = new ArrayList<>();
    for (Map<String, Object> m : Arrays.asList(idle, half, busy)) {
      if (m != null) {
        m.keySet().stream().filter(k -> !keys.contains(k)).forEach(keys::add);
      }
    }
    // The machine-wide columns last.
    for (String k : List.of("other_processes", "machine")) {
      if (keys.remove(k)) {
        keys.add(k);
      }
    }
    out.printf("%nCPU, %% of one core (%s cores: the machine can reach %d)%n", r.get("cores"),
        100 * ((Number) r.get("cores")).intValue());
    StringBuilder head = new StringBuilder(String.format("%-20s", "window"));
    keys.forEach(k -> head.append(String.format(" %12s", COLUMNS.getOrDefault(k, k))));
    out.println(head);
    cpuRow("idle, whole hold", keys, idle);
    cpuRow("idle, second half", keys, half);
    cpuRow("task mix", keys, busy);
  }

  private void cpuRow(String name, List<String> keys, Map<String, Object> m) {
    if (m == null) {
      return;
    }
    StringBuilder line = new StringBuilder(String.format("%-20s", name));
    keys.forEach(k -> line.append(String.format(" %12s", m.get(k) == null ? "-" : m.get(k))));
    out.println(line);
  }

  private void row(String name, Object value) {
    out.printf("%-" + NAME_WIDTH + "s %s%n", name, value == null ? "-" : value);
  }
}
