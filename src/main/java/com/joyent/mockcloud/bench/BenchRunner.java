package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.json.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs a benchmark (or the marginal-memory pair of runs), prints the table, writes the JSON. */
public final class BenchRunner {
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
    out.printf("%n%-44s %s%n", "measure", "value");
    row("CNs x VMs", r.get("servers") + " x " + r.get("vms_per_server"));
    row("run-servers JVM", r.get("run_servers_jvm"));
    row("fleet generation (s)", r.get("generate_s"));
    if (r.get("napi_seed_s") != null) {
      row("NICs seeded in NAPI / seconds", r.get("napi_seeded_nics") + " / " + r.get("napi_seed_s"));
    }
    row("all CNs registered after (s)", r.get("all_registered_s"));
    row("all VMs in VMAPI (vm-agent sync) after (s)", r.get("vm_agents_synced_s"));
    Map<String, Object> hb = (Map<String, Object>) r.get("heartbeats_idle");
    if (hb != null && hb.containsKey("p50_ms")) {
      row("heartbeat gap p50 / p99 / max (ms), idle", hb.get("p50_ms") + " / " + hb.get("p99_ms") + " / " + hb.get("max_ms"));
      row("CNs that went > 11 s without one, idle", hb.get("over_11s") + " (+" + hb.get("stale_now") + " stale now)");
    }
    if (r.get("napi_changefeed") != null) {
      row("NAPI changefeed / net-agents registered", (Boolean.TRUE.equals(r.get("napi_changefeed")) ? "on" : "off")
          + " / " + (r.get("changefeed_registrations") == null ? "-" : r.get("changefeed_registrations")));
    }
    row("RSS (MB) / per CN (KB)", r.get("rss_mb") + " / " + r.get("rss_per_cn_kb"));
    row("heap used after full GC (MB) / per CN (KB)", r.get("heap_used_after_gc_mb") + " / " + r.get("heap_per_cn_kb"));
    row("CPU idle, whole hold / second half (%)", r.get("cpu_idle_pct_of_core") + " / "
        + r.get("cpu_idle_second_half_pct_of_core"));
    row("open file descriptors / threads", r.get("open_fds") + " / " + r.get("threads"));
    Map<String, Object> mix = (Map<String, Object>) r.get("task_mix");
    if (mix != null) {
      row("task mix: rate (tasks/s) / sent / failed", mix.get("rate_per_s") + " / " + mix.get("sent") + " / " + mix.get("failed"));
      if (mix.get("failures_sample") instanceof List<?> f && !f.isEmpty()) {
        f.forEach(x -> out.printf("  failed: %s%n", x));
      }
      row("task latency p50 / p99 / max (ms)", mix.get("latency_p50_ms") + " / " + mix.get("latency_p99_ms") + " / "
          + mix.get("latency_max_ms"));
      row("CPU under the task mix (% of one core)", mix.get("cpu_pct_of_core"));
      Map<String, Object> mhb = (Map<String, Object>) mix.get("heartbeats");
      if (mhb != null && mhb.containsKey("p50_ms")) {
        row("heartbeat gap p50 / p99 / max (ms), mix", mhb.get("p50_ms") + " / " + mhb.get("p99_ms") + " / " + mhb.get("max_ms"));
        row("CNs that went > 11 s without one, mix", mhb.get("over_11s") + " (+" + mhb.get("stale_now") + " stale now)");
      }
      row("threads under the task mix", mix.get("threads"));
    }
    row("run-servers exit status on SIGTERM", r.get("run_servers_exit_on_sigterm"));
  }

  private void row(String name, Object value) {
    out.printf("%-44s %s%n", name, value == null ? "-" : value);
  }
}
