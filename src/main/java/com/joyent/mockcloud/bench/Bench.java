package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.sandbox.SandboxOptions;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.JsonHttpClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One benchmark run (issue: 10,000 CNs in one JVM): generate the fleet on disk, start the
 * receiving side (the sandbox APIs in their own JVM, unless URLs are given), start run-servers
 * in its own JVM with the given heap, and measure what the targets name — time to
 * register all CNs, heartbeat gaps as the receiver saw them, RSS and heap after a full GC,
 * CPU idle and under a task mix, task latency, descriptors and threads.
 */
final class Bench {
  /** The sandbox receiver's operator: owner of the CNs' NICs, given to run-servers as --admin-uuid. */
  private static final String ADMIN = SandboxOptions.DEFAULT_ADMIN_UUID;
  private final BenchOptions o;
  private final PrintWriter log;
  private final OutboundHttp http = OutboundHttp.standalone();

  Bench(BenchOptions options, PrintWriter log) {
    this.o = options;
    this.log = log;
  }

  Map<String, Object> run() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    Path root = o.root() != null ? o.root() : Files.createTempDirectory("mockcloud-bench-");
    r.put("servers", o.servers());
    r.put("vms_per_server", o.vmsPerServer());
    r.put("heap", o.heap());
    r.put("cores", Runtime.getRuntime().availableProcessors());
    Process receiver = null;
    String cnapi = o.cnapiUrl();
    String vmapi = o.vmapiUrl();
    String napi = o.napiUrl();
    if (cnapi == null) {
      Path urls = root.resolve("receiver-urls.json");
      List<String> sandboxArgs = new ArrayList<>(List.of("sandbox", "--apis-only", "--url-file", urls.toString(),
          "--datacenter", "bench", "--admin-subnet", "10.128.0.0/9"));
      if (!o.changefeed()) {
        sandboxArgs.add("--no-changefeed");
      }
      receiver = Children.start(List.of("-Xms2g", "-Xmx8g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=100",
          "-Xlog:gc:file=" + root.resolve("receiver-gc.log")), sandboxArgs, root.resolve("receiver.log"));
      Map<String, Object> u = awaitFile(urls, receiver);
      cnapi = (String) u.get("cnapiUrl");
      vmapi = (String) u.get("vmapiUrl");
      napi = (String) u.get("napiUrl");
      say("receiver (sandbox APIs, pid %d): CNAPI %s", receiver.pid(), cnapi);
    }
    r.put("receiver", receiver == null ? cnapi : "sandbox in a separate JVM");
    r.put("napi_changefeed", receiver == null ? null : o.changefeed());
    JsonHttpClient na = napi == null ? null : new JsonHttpClient(http, URI.create(napi), "NAPI", "mockcloud-bench");
    FleetGenerator.VmNetwork net = na == null ? null : adminNetwork(na);
    say("generating %d servers x %d VMs in %s", o.servers(), o.vmsPerServer(), root);
    long g0 = System.nanoTime();
    FleetGenerator.Generated fleet = FleetGenerator.generate(root, o.servers(), o.vmsPerServer(), "bench", net);
    List<UUID> uuids = fleet.servers();
    r.put("generate_s", round((System.nanoTime() - g0) / 1e9));
    if (na != null && !fleet.napiNics().isEmpty()) {
      long s0 = System.nanoTime();
      int n = NapiSeeder.seed(na, fleet.napiNics());
      r.put("napi_seeded_nics", n);
      r.put("napi_seed_s", round((System.nanoTime() - s0) / 1e9));
      say("seeded NAPI with the fleet's %d NICs in %.1f s", n, (System.nanoTime() - s0) / 1e9);
    }
    JsonHttpClient cn = new JsonHttpClient(http, URI.create(cnapi), "CNAPI", "mockcloud-bench");
    JsonHttpClient vm = new JsonHttpClient(http, URI.create(vmapi), "VMAPI", "mockcloud-bench");

    List<String> args = new ArrayList<>(List.of("run-servers", "--root", root.toString(), "--cnapi-url", cnapi,
        "--vmapi-url", vmapi, "--datacenter", "bench", "--dns-domain", "bench.test", "--admin-uuid", ADMIN,
        "--cmon-port", "0"));
    if (napi != null) {
      args.addAll(List.of("--napi-url", napi));
    }
    if (o.portBase() > 0) {
      args.addAll(List.of("--port-base", Integer.toString(o.portBase())));
    }
    List<String> jvm = new ArrayList<>(List.of("-Xmx" + o.heap(), "-Xms64m", "-XX:+UseSerialGC",
        "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-Xss512k"));
    // GC pauses of either JVM show in heartbeat gaps: keep both GC logs next to the fleet.
    jvm.add("-Xlog:gc:file=" + root.resolve("run-servers-gc.log"));
    // Extra flags for run-servers (profiling, GC experiments): MOCKCLOUD_BENCH_JVM_OPTS.
    String extra = System.getenv("MOCKCLOUD_BENCH_JVM_OPTS");
    if (extra != null && !extra.isBlank()) {
      jvm.addAll(List.of(extra.trim().split("\\s+")));
    }
    long t0 = System.nanoTime();
    Process servers = Children.start(jvm, args, root.resolve("run-servers.log"));
    long pid = servers.pid();
    r.put("run_servers_jvm", String.join(" ", jvm.stream().filter(a -> !a.startsWith("-Xlog")).toList()));
    say("run-servers started (pid %d)", pid);
    try {
      double registered = awaitRegistered(cn, uuids, t0, servers);
      r.put("all_registered_s", round(registered));
      say("all %d registered after %.1f s", o.servers(), registered);
      if (o.vmsPerServer() > 0) {
        double synced = awaitVmapiCount(vm, (long) o.servers() * o.vmsPerServer(), t0, servers);
        r.put("vm_agents_synced_s", round(synced));
        say("all %d VMs in VMAPI after %.1f s", (long) o.servers() * o.vmsPerServer(), synced);
      }
      stats(cn, true); // start the heartbeat window now
      double cpu0 = ProcessStats.cpuSeconds(pid);
      long w0 = System.nanoTime();
      say("holding %d s idle", o.holdSeconds());
      // The first half of the hold may still carry start-up work (net-agents' first NAPI pass);
      // the second half is the steady state.
      Thread.sleep(o.holdSeconds() * 500L);
      double cpuHalf = ProcessStats.cpuSeconds(pid);
      long wHalf = System.nanoTime();
      Thread.sleep(o.holdSeconds() * 500L);
      double cpuEnd = ProcessStats.cpuSeconds(pid);
      long wEnd = System.nanoTime();
      r.put("cpu_idle_pct_of_core", round((cpuEnd - cpu0) / ((wEnd - w0) / 1e9) * 100));
      r.put("cpu_idle_second_half_pct_of_core", round((cpuEnd - cpuHalf) / ((wEnd - wHalf) / 1e9) * 100));
      Map<String, Object> idleHb = stats(cn, false);
      if (receiver != null && o.changefeed()) {
        r.put("changefeed_registrations", na.send("GET", "/changefeeds/stats", null).bodyObject().get("registrations"));
      }
      r.put("heartbeats_idle", idleHb);
      long heap = ProcessStats.heapUsedAfterGc(pid);
      Thread.sleep(1000);
      long rss = ProcessStats.rssBytes(pid);
      r.put("heap_used_after_gc_mb", round(heap / 1048576.0));
      r.put("rss_mb", round(rss / 1048576.0));
      r.put("rss_per_cn_kb", round(rss / 1024.0 / o.servers()));
      r.put("heap_per_cn_kb", round(heap / 1024.0 / o.servers()));
      r.put("open_fds", ProcessStats.openFds(pid));
      r.put("threads", ProcessStats.threads(pid));

      if (o.taskRate() > 0) {
        List<TaskMix.Cn> cns = agents(cn, uuids, root);
        say("task mix: %.0f tasks/s for %d s over %d CNs", o.taskRate(), o.holdSeconds(), cns.size());
        stats(cn, true);
        double c0 = ProcessStats.cpuSeconds(pid);
        long m0 = System.nanoTime();
        TaskMix.Result mix = TaskMix.run(cns, o.taskRate(), o.holdSeconds(), net);
        double mixCpu = (ProcessStats.cpuSeconds(pid) - c0) / ((System.nanoTime() - m0) / 1e9) * 100;
        Percentiles p = new Percentiles(mix.latenciesMs());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rate_per_s", o.taskRate());
        m.put("sent", mix.sent());
        m.put("failed", mix.failed());
        m.put("failures_sample", mix.failures());
        m.put("by_task", mix.byTask());
        m.put("latency_p50_ms", round(p.at(0.50)));
        m.put("latency_p99_ms", round(p.at(0.99)));
        m.put("latency_max_ms", round(p.at(1.0)));
        m.put("cpu_pct_of_core", round(mixCpu));
        m.put("heartbeats", stats(cn, false));
        m.put("threads", ProcessStats.threads(pid));
        r.put("task_mix", m);
      }
    } finally {
      int exit = Children.stop(servers);
      r.put("run_servers_exit_on_sigterm", exit);
      if (receiver != null) {
        Children.stop(receiver);
      }
    }
    return r;
  }

  /** VM NICs go on NAPI's admin network, from its second quarter up (CN admin IPs use the first). */
  private static FleetGenerator.VmNetwork adminNetwork(JsonHttpClient napi) throws IOException {
    Map<String, Object> n = napi.send("GET", "/networks/admin", null).bodyObject();
    if (!(n.get("uuid") instanceof String uuid) || !(n.get("subnet") instanceof String subnet)) {
      return null;
    }
    String[] cidr = subnet.split("/");
    String[] q = cidr[0].split("\\.");
    long base = Long.parseLong(q[0]) << 24 | Long.parseLong(q[1]) << 16 | Long.parseLong(q[2]) << 8 | Long.parseLong(q[3]);
    long size = 1L << (32 - Integer.parseInt(cidr[1]));
    List<String> resolvers = new java.util.ArrayList<>();
    if (n.get("resolvers") instanceof List<?> l) {
      l.forEach(x -> resolvers.add(String.valueOf(x)));
    }
    return new FleetGenerator.VmNetwork(uuid, String.valueOf(n.get("netmask")), base + size / 2, resolvers);
  }

  /** The receiver's heartbeat statistics ({@code reset} starts a new window); empty for a real CNAPI. */
  private Map<String, Object> stats(JsonHttpClient cn, boolean reset) throws IOException {
    ApiResponse a = cn.send("GET", "/mockcloud/stats" + (reset ? "?reset=true" : ""), null);
    if (!a.isSuccessful()) {
      return Map.of("note", "the receiver does not report heartbeat statistics");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> hb = (Map<String, Object>) a.bodyObject().get("heartbeats");
    return hb;
  }

  private double awaitRegistered(JsonHttpClient cn, List<UUID> uuids, long t0, Process servers) throws Exception {
    Set<String> want = new HashSet<>();
    uuids.forEach(u -> want.add(u.toString()));
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (System.nanoTime() < deadline) {
      checkAlive(servers);
      ApiResponse a = cn.send("GET", "/mockcloud/stats", null);
      long have;
      if (a.isSuccessful()) {
        have = ((Number) a.bodyObject().get("registered")).longValue();
      } else {
        have = cn.send("GET", "/servers?limit=100000", null).bodyList().stream()
            .filter(s -> s instanceof Map<?, ?> m && want.contains(String.valueOf(m.get("uuid")))).count();
      }
      if (have >= want.size()) {
        return (System.nanoTime() - t0) / 1e9;
      }
      Thread.sleep(250);
    }
    throw new IOException("not every server registered within 10 minutes");
  }

  private double awaitVmapiCount(JsonHttpClient vm, long want, long t0, Process servers) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (System.nanoTime() < deadline) {
      checkAlive(servers);
      ApiResponse a = vm.send("GET", "/vms?state=active&limit=1", null);
      String count = a.header("x-joyent-resource-count");
      if (count != null && Long.parseLong(count) >= want) {
        return (System.nanoTime() - t0) / 1e9;
      }
      Thread.sleep(500);
    }
    throw new IOException("VMAPI did not get every VM within 10 minutes");
  }

  /** Where each CN's cn-agent listens (from its CNAPI sysinfo) and which VMs it has on disk. */
  private List<TaskMix.Cn> agents(JsonHttpClient cn, List<UUID> uuids, Path root) throws IOException {
    List<TaskMix.Cn> out = new ArrayList<>();
    int sample = Math.min(uuids.size(), 2000);
    for (int i = 0; i < sample; i++) {
      UUID u = uuids.get(i * uuids.size() / sample);
      Map<String, Object> server = cn.send("GET", "/servers/" + u, null).bodyObject();
      Object port = server.get("sysinfo") instanceof Map<?, ?> s ? s.get("CN Agent Port") : null;
      if (!(port instanceof Number p)) {
        continue;
      }
      List<String> vms = new ArrayList<>();
      try (var files = Files.list(root.resolve("servers").resolve(u.toString()).resolve("vms"))) {
        files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json"))
            .forEach(n -> vms.add(n.substring(0, n.length() - 5)));
      }
      out.add(new TaskMix.Cn(u.toString(), p.intValue(), vms, i));
    }
    return out;
  }

  private static Map<String, Object> awaitFile(Path file, Process p) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      checkAlive(p);
      if (Files.exists(file)) {
        return Json.parseObject(Files.readAllBytes(file));
      }
      Thread.sleep(100);
    }
    throw new IOException("the receiver did not start within 60 s");
  }

  private static void checkAlive(Process p) throws IOException {
    if (!p.isAlive()) {
      throw new IOException("child JVM (pid " + p.pid() + ") exited with status " + p.exitValue()
          + "; see its log in the bench root");
    }
  }

  private void say(String fmt, Object... args) {
    log.printf("bench: " + fmt + "%n", args);
    log.flush();
  }

  static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
