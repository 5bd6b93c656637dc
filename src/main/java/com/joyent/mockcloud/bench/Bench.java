package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.netagent.ChangefeedMode;
import com.joyent.mockcloud.sandbox.SandboxOptions;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.JsonHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One benchmark run (issue: 10,000 CNs in one JVM): generate the fleet on disk, start the
 * receiving side (unless URLs are given: the sandbox CNAPI and VMAPI in one JVM, the sandbox NAPI
 * in another), start run-servers in its own JVM with the given heap, and measure what the issue's
 * targets name — time to register all CNs, heartbeat gaps as the receiver saw them beside
 * run-servers' own heartbeat lag (its /metrics), RSS and heap after a full GC, CPU of every
 * process of the run idle and under a task mix (optionally against a CPU hog), task latency,
 * descriptors and threads; optionally, oversized task bodies sent to CNs in the middle of the idle
 * hold ({@link OversizedBodies}) and whether the heartbeats held through them.
 */
final class Bench {
  /** The sandbox receiver's operator: owner of the CNs' NICs, given to run-servers as --admin-uuid. */
  private static final String ADMIN = SandboxOptions.DEFAULT_ADMIN_UUID;
  /** run-servers' line at start saying which changefeed mode its net-agents use (fleet.Fleet, info). */
  static final String CHANGEFEED_LINE = "net-agent changefeed: ";
  /** The heartbeat window runs at least this long past the oversized bodies (a gap over 11 s shows). */
  private static final Duration AFTER_OVERSIZED = Duration.ofSeconds(12);
  private final BenchOptions o;
  private final PrintWriter log;
  private final OutboundHttp http = OutboundHttp.standalone();
  private Map<String, Object> lastRequests; // the receiver's request counts from the last stats()
  /** run-servers' control port (its /metrics), or null when it has none. */
  private URI control;
  /** Why run-servers' metrics could not be read (the first reason), or null. */
  private String metricsProblem;

  Bench(BenchOptions options, PrintWriter log) {
    this.o = options;
    this.log = log;
  }

  Map<String, Object> run() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    // --root DIR is made when missing: the receivers' logs go there before any server does.
    Path root = o.root() != null ? Files.createDirectories(o.root()) : Files.createTempDirectory("mockcloud-bench-");
    r.put("servers", o.servers());
    r.put("vms_per_server", o.vmsPerServer());
    r.put("heap", o.heap());
    r.put("cores", Runtime.getRuntime().availableProcessors());
    Process receiver = null;
    Process napiReceiver = null;
    Process servers = null;
    try {
      String cnapi = o.cnapiUrl();
      String vmapi = o.vmapiUrl();
      String napi = o.napiUrl();
      String sapi = null;
      String fwapi = null;
      Object fwapiFastPort = null;
      String dhcpServer = null;
      Path receiverUrls = root.resolve("receiver-urls.json");
      Path napiUrls = root.resolve("napi-urls.json");
      if (cnapi == null) {
        // CNAPI and VMAPI: they answer (and time) the heartbeats, status reports and VM syncs.
        // Their JVM's own NAPI serves nobody: no changefeed, no NICs.
        receiver = Children.start(receiverJvm(root, "receiver", "-Xms2g", "-Xmx8g"),
            sandboxArgs(receiverUrls, false, false), root.resolve("receiver.log"));
        if (napi == null) {
          // NAPI in a JVM of its own: its changefeed broadcast (every NIC change to every CN's
          // WebSocket) must not share CPU and GC with the CNAPI that times the heartbeats.
          napiReceiver = Children.start(receiverJvm(root, "napi", "-Xms1g", "-Xmx6g"),
              sandboxArgs(napiUrls, o.changefeed(), o.dhcp()), root.resolve("napi.log"));
        }
      }
      if (receiver != null) {
        Map<String, Object> u = awaitFile(receiverUrls, receiver);
        cnapi = (String) u.get("cnapiUrl");
        vmapi = (String) u.get("vmapiUrl");
        // The receiver's SAPI and FWAPI: the CNs' config-agents and firewallers talk to them, never to
        // the names --datacenter/--dns-domain would derive.
        sapi = (String) u.get("sapiUrl");
        fwapi = (String) u.get("fwapiUrl");
        fwapiFastPort = u.get("fwapiFastPort");
        say("receiver (sandbox CNAPI + VMAPI, pid %d): CNAPI %s", receiver.pid(), cnapi);
      }
      if (napiReceiver != null) {
        Map<String, Object> nu = awaitFile(napiUrls, napiReceiver);
        napi = (String) nu.get("napiUrl");
        dhcpServer = (String) nu.get("dhcpServer");
        say("NAPI receiver (sandbox NAPI, pid %d): %s, changefeed %s", napiReceiver.pid(), napi,
            o.changefeed() ? "on" : "off");
      }
      r.put("receiver", receiver == null ? cnapi : "sandbox CNAPI + VMAPI in a JVM of their own");
      r.put("napi", napiReceiver == null ? napi : "sandbox NAPI in a JVM of its own");
      r.put("napi_changefeed", napiReceiver == null ? null : o.changefeed());
      JsonHttpClient na = napi == null ? null
          : JsonHttpClient.to(http, URI.create(napi), "NAPI").userAgent("mockcloud-bench").build();
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
      if (sapi != null) {
        long s0 = System.nanoTime();
        JsonHttpClient sa = JsonHttpClient.to(http, URI.create(sapi), "SAPI").userAgent("mockcloud-bench").build();
        int n = SapiSeeder.seed(sa, new com.joyent.mockcloud.server.ServerRoot(root).list());
        r.put("sapi_seeded_instances", n);
        say("adopted the fleet's %d agent instances into SAPI in %.1f s", n, (System.nanoTime() - s0) / 1e9);
      }
      JsonHttpClient fw = fwapi == null ? null
          : JsonHttpClient.to(http, URI.create(fwapi), "FWAPI").userAgent("mockcloud-bench").build();
      if (fw != null) {
        r.put("fwapi_rules", seedFwapiRules(fw));
      }
      if (o.behaviour() != null) {
        Files.copy(o.behaviour(), root.resolve("behaviour.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        r.put("behaviour", o.behaviour().toString());
      }
      JsonHttpClient cn = JsonHttpClient.to(http, URI.create(cnapi), "CNAPI").userAgent("mockcloud-bench").build();
      JsonHttpClient vm = JsonHttpClient.to(http, URI.create(vmapi), "VMAPI").userAgent("mockcloud-bench").build();

      List<String> args = new ArrayList<>(List.of("run-servers", "--root", root.toString(), "--cnapi-url", cnapi,
          "--vmapi-url", vmapi, "--datacenter", "bench", "--dns-domain", "bench.test", "--admin-uuid", ADMIN,
          "--cmon-port", "0", "--firewaller-port", "0"));
      if (napi != null) {
        args.addAll(List.of("--napi-url", napi));
      }
      if (sapi != null) {
        args.addAll(List.of("--sapi-url", sapi));
      }
      if (fwapi != null && fwapiFastPort != null) {
        args.addAll(List.of("--fwapi-url", fwapi, "--fwapi-fast-port", String.valueOf(fwapiFastPort)));
      }
      if (o.portBase() > 0) {
        args.addAll(List.of("--port-base", Integer.toString(o.portBase())));
      }
      r.put("admin_ip_source", o.dhcp() ? "dhcp" : "napi");
      if (o.dhcp()) {
        if (dhcpServer == null) {
          throw new IOException("the NAPI receiver wrote no dhcpServer in its URL file");
        }
        args.addAll(List.of("--admin-ip-source", "dhcp", "--dhcp-server", dhcpServer, "--dhcp-bind", "127.0.0.1:0"));
        r.put("dhcp_server", dhcpServer);
      }
      int controlPort = freeLoopbackPort();
      args.addAll(List.of("--control-port", Integer.toString(controlPort)));
      control = URI.create("http://127.0.0.1:" + controlPort);
      r.put("run_servers_metrics", control + "/metrics");
      Map<String, Object> changefeed = new LinkedHashMap<>();
      if (o.runServersChangefeed() != null) {
        String mode = ChangefeedMode.parse(o.runServersChangefeed()).flag();
        changefeed.put("asked", mode);
        args.addAll(List.of("--changefeed", mode));
        changefeed.put("passed", true);
      } else {
        changefeed.put("asked", null);
        changefeed.put("passed", false);
      }
      r.put("run_servers_changefeed", changefeed);
      // SerialGC with the JVM's default heap free ratios (40 / 70 %), as deployed (smf, docs/deploy.md).
      // Tighter ratios (10 / 30 %) gave a smaller RSS but, under the task mix, a full GC of
      // ~400 ms every ~9 s at 2,000 CNs, which was the task latency p99 (docs/benchmark.md).
      List<String> jvm = new ArrayList<>(List.of("-Xmx" + o.heap(), "-Xms64m", "-XX:+UseSerialGC",
          "-XX:MinHeapFreeRatio=40", "-XX:MaxHeapFreeRatio=70", "-Xss512k"));
      // GC pauses of any JVM show in heartbeat gaps: keep every GC log next to the fleet.
      jvm.add("-Xlog:gc:file=" + root.resolve("run-servers-gc.log"));
      // The children log at warn; run-servers' fleet says at info which changefeed mode it chose.
      Path logback = runServersLogback(root);
      if (logback != null) {
        jvm.add("-Dlogback.configurationFile=" + logback);
      }
      // Extra flags for run-servers (profiling, GC experiments): MOCKCLOUD_BENCH_JVM_OPTS.
      String extra = System.getenv("MOCKCLOUD_BENCH_JVM_OPTS");
      if (extra != null && !extra.isBlank()) {
        jvm.addAll(List.of(extra.trim().split("\\s+")));
      }
      long t0 = System.nanoTime();
      servers = Children.start(jvm, args, root.resolve("run-servers.log"));
      long pid = servers.pid();
      r.put("run_servers_jvm", String.join(" ", jvm.stream()
          .filter(a -> !a.startsWith("-Xlog") && !a.startsWith("-Dlogback.")).toList()));
      say("run-servers started (pid %d)", pid);
      Map<String, Long> pids = new LinkedHashMap<>();
      pids.put("run_servers", pid);
      if (receiver != null) {
        pids.put("cnapi_vmapi_receiver", receiver.pid());
      }
      if (napiReceiver != null) {
        pids.put("napi_receiver", napiReceiver.pid());
      }
      pids.put(CpuMeter.SELF, -1L);

      double registered = awaitRegistered(cn, uuids, t0, servers);
      r.put("all_registered_s", round(registered));
      say("all %d registered after %.1f s", o.servers(), registered);
      if (o.vmsPerServer() > 0) {
        double synced = awaitVmapiCount(vm, (long) o.servers() * o.vmsPerServer(), t0, servers);
        r.put("vm_agents_synced_s", round(synced));
        say("all %d VMs in VMAPI after %.1f s", (long) o.servers() * o.vmsPerServer(), synced);
      }
      // Where the oversized bodies go, asked of CNAPI before the heartbeat window starts.
      List<OversizedBodies.Target> oversizedTargets = o.oversizedBodies() > 0
          ? oversizedTargets(cn, uuids, o.oversizedBodies()) : null;
      CpuMeter idleMeter = new CpuMeter(pids);
      stats(cn, true); // start the heartbeat window now
      PromMetrics idle0 = scrape();
      CpuMeter.Reading cpu0 = idleMeter.read();
      // What run-servers did before the window (registration, first sync): a gap at CNAPI that
      // began then still ends in the window.
      r.put("heartbeat_lag_startup", idle0 == null ? HeartbeatLag.unavailable(metricsProblem)
          : HeartbeatLag.sinceStart(idle0));
      say("holding %d s idle", o.holdSeconds());
      // The first half of the hold may still carry start-up work (net-agents' first NAPI pass);
      // the second half is the steady state.
      Thread.sleep(o.holdSeconds() * 500L);
      CpuMeter.Reading cpuHalf = idleMeter.read();
      long half = System.nanoTime();
      Map<String, Object> oversized = null;
      long rest = o.holdSeconds() * 500L;
      if (oversizedTargets != null) {
        oversized = oversizedBodies(oversizedTargets, (System.nanoTime() - cpu0.nanos()) / 1e9);
        // The window goes on long enough after them for a CN they held up to show.
        rest = Math.max(rest - (System.nanoTime() - half) / 1_000_000, AFTER_OVERSIZED.toMillis());
      }
      Thread.sleep(rest);
      CpuMeter.Reading cpuEnd = idleMeter.read();
      r.put("idle_hold_s", round((cpuEnd.nanos() - cpu0.nanos()) / 1e9));
      PromMetrics idle1 = scrape();
      Map<String, Object> idleCpu = CpuMeter.percent(cpu0, cpuEnd);
      Map<String, Object> idleCpuHalf = CpuMeter.percent(cpuHalf, cpuEnd);
      r.put("cpu_idle_pct_of_core", idleCpu.get("run_servers"));
      r.put("cpu_idle_second_half_pct_of_core", idleCpuHalf.get("run_servers"));
      r.put("cpu_idle_by_process", idleCpu);
      r.put("cpu_idle_second_half_by_process", idleCpuHalf);
      Map<String, Object> idleHb = stats(cn, false);
      // What the CNs' agents asked of each API over the hold: config-agents polling SAPI,
      // firewallers syncing with FWAPI and VMAPI, vm-agents, heartbeats and status reports.
      r.put("api_requests_idle", requestRates(lastRequests, (cpuEnd.nanos() - cpu0.nanos()) / 1e9));
      if (fw != null) {
        r.put("fwapi_connected_firewallers", connectedFirewallers(fw));
      }
      if (napiReceiver != null && o.changefeed()) {
        Map<String, Object> cf = na.send("GET", "/changefeeds/stats", null).bodyObject();
        r.put("changefeed_registrations", cf.get("registrations"));
        r.put("changefeed_listeners", cf.get("listeners"));
      }
      String[] used = changefeedUsed(root.resolve("run-servers.log"));
      changefeed.put("used", used == null ? null : used[0]);
      changefeed.put("log", used == null ? "no '" + CHANGEFEED_LINE + "' line in run-servers.log" : used[1]);
      r.put("heartbeats_idle", idleHb);
      Map<String, Object> idleLag = lagWindow(idle0, idle1);
      r.put("heartbeat_lag_idle", idleLag);
      if (oversized != null) {
        oversized.putAll(OversizedBodies.heartbeatVerdict(idleHb, idleLag));
        r.put("oversized_bodies", oversized);
      }
      long heap = ProcessStats.heapUsedAfterGc(pid);
      Thread.sleep(1000);
      long rss = ProcessStats.rssBytes(pid);
      r.put("heap_used_after_gc_mb", round(heap / 1048576.0));
      r.put("rss_mb", round(rss / 1048576.0));
      r.put("rss_per_cn_kb", round(rss / 1024.0 / o.servers()));
      r.put("heap_per_cn_kb", round(heap / 1024.0 / o.servers()));
      r.put("open_fds", ProcessStats.openFds(pid));
      r.put("threads", ProcessStats.threads(pid));
      r.put("own_objects_by_package", ownObjects(pid));

      if (o.taskRate() > 0) {
        r.put("task_mix", taskMix(cn, uuids, root, net, pids));
      }
      if (o.scenario() != null) {
        r.put("scenario", scenario());
      }
    } finally {
      try {
        if (servers != null) {
          r.put("run_servers_exit_on_sigterm", Children.stop(servers));
        }
      } finally {
        if (receiver != null) {
          Children.stop(receiver);
        }
        if (napiReceiver != null) {
          Children.stop(napiReceiver);
        }
      }
    }
    return r;
  }

  /** mockcloud's own live objects in run-servers by package: {package: {instances, shallow_kb}}. */
  private static Map<String, Object> ownObjects(long pid) throws IOException, InterruptedException {
    Map<String, Object> m = new LinkedHashMap<>();
    String prefix = "com.joyent.mockcloud.";
    ProcessStats.histogramByPackage(pid, prefix).forEach((pkg, sum) ->
        m.put(pkg.substring(prefix.length()), Map.of("instances", sum[0], "shallow_kb", round(sum[1] / 1024.0))));
    return m;
  }

  /**
   * Runs {@code --scenario} through run-servers' control port until it is no longer running, and
   * reports its lines and the longest time a step took to reach all its CNs.
   */
  @SuppressWarnings("unchecked")
  private Map<String, Object> scenario() throws Exception {
    JsonHttpClient c = JsonHttpClient.to(http, control, "run-servers control").userAgent("mockcloud-bench").build();
    Object body = com.joyent.mockcloud.json.Json.parse(Files.readAllBytes(o.scenario()));
    Map<String, Object> started = c.send("POST", "/scenarios", body).bodyObject();
    String id = (String) started.get("id");
    say("scenario %s started", id);
    Map<String, Object> status;
    long deadline = System.nanoTime() + Duration.ofHours(1).toNanos();
    do {
      Thread.sleep(500);
      status = c.send("GET", "/scenarios/" + id, null).bodyObject();
    } while ("running".equals(status.get("state")) && System.nanoTime() < deadline);
    if (!"running".equals(status.get("state"))) {
      c.send("POST", "/scenarios/" + id + "/stop", Map.of());
    }
    List<Map<String, Object>> lines = (List<Map<String, Object>>) status.get("report");
    long maxTook = lines.stream().filter(l -> l.get("took_ms") instanceof Number)
        .mapToLong(l -> ((Number) l.get("took_ms")).longValue()).max().orElse(-1);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("file", o.scenario().toString());
    m.put("state", status.get("state"));
    m.put("max_step_took_ms", maxTook);
    m.put("report", lines.stream().map(l -> {
      Map<String, Object> short_ = new LinkedHashMap<>(l);
      short_.remove("uuids");
      return short_;
    }).toList());
    say("scenario %s %s; the slowest step took %d ms over its CNs", id, status.get("state"), maxTook);
    return m;
  }

  /** The task mix, with the CPU hog (if asked for) running exactly while it does. */
  private Map<String, Object> taskMix(JsonHttpClient cn, List<UUID> uuids, Path root, FleetGenerator.VmNetwork net,
      Map<String, Long> pids) throws Exception {
    List<TaskMix.Cn> cns = agents(cn, uuids, root);
    Process hog = null;
    try {
      Map<String, Long> mixPids = new LinkedHashMap<>(pids);
      if (o.cpuHog() > 0) {
        hog = startHog(root);
        mixPids.put("cpu_hog", hog.pid());
        say("CPU hog (pid %d): %d %% of one core while the mix runs", hog.pid(), o.cpuHog());
      }
      CpuMeter meter = new CpuMeter(mixPids);
      say("task mix: %.0f tasks/s for %d s over %d CNs", o.taskRate(), o.holdSeconds(), cns.size());
      stats(cn, true);
      PromMetrics s0 = scrape();
      CpuMeter.Reading c0 = meter.read();
      TaskMix.Result mix = TaskMix.run(cns, o.taskRate(), o.holdSeconds(), net);
      CpuMeter.Reading c1 = meter.read();
      if (hog != null) {
        Children.stop(hog);
      }
      PromMetrics s1 = scrape();
      Map<String, Object> cpu = CpuMeter.percent(c0, c1);
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
      m.put("cpu_pct_of_core", cpu.get("run_servers"));
      m.put("cpu_by_process", cpu);
      if (hog != null) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("requested_pct_of_core", o.cpuHog());
        h.put("measured_pct_of_core", cpu.get("cpu_hog"));
        m.put("cpu_hog", h);
      }
      m.put("heartbeats", stats(cn, false));
      m.put("heartbeat_lag", lagWindow(s0, s1));
      m.put("threads", ProcessStats.threads(pids.get("run_servers")));
      return m;
    } finally {
      if (hog != null) {
        Children.stop(hog); // at once if the mix failed; a no-op after the stop above
      }
    }
  }

  /** Starts {@code bench cpu-hog} and waits until its busy threads run. */
  private Process startHog(Path root) throws Exception {
    Path log = root.resolve("cpu-hog.log");
    // A bound on its life in case the bench is killed outright (it also stops when the bench is gone).
    long maxSeconds = 2L * o.holdSeconds() + 600;
    Process p = Children.start(List.of("-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
        List.of("bench", "cpu-hog", Integer.toString(o.cpuHog()), "--max-seconds", Long.toString(maxSeconds)), log);
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        checkAlive(p);
        if (Files.exists(log) && Files.readString(log).contains(CpuHog.READY)) {
          return p;
        }
        Thread.sleep(50);
      }
      throw new IOException("the CPU hog did not start within 30 s; see " + log);
    } catch (Exception e) {
      Children.stop(p);
      throw e;
    }
  }

  private static List<String> receiverJvm(Path root, String name, String xms, String xmx) {
    List<String> jvm = new ArrayList<>(List.of(xms, xmx, "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=100",
        "-Xlog:gc:file=" + root.resolve(name + "-gc.log")));
    // Extra flags for the receivers (GC experiments, profiling): MOCKCLOUD_BENCH_RECEIVER_JVM_OPTS,
    // after the defaults so that they win.
    String extra = System.getenv("MOCKCLOUD_BENCH_RECEIVER_JVM_OPTS");
    if (extra != null && !extra.isBlank()) {
      jvm.addAll(List.of(extra.trim().split("\\s+")));
    }
    return jvm;
  }

  private static List<String> sandboxArgs(Path urlFile, boolean changefeed, boolean dhcp) {
    List<String> a = new ArrayList<>(List.of("sandbox", "--apis-only", "--url-file", urlFile.toString(),
        "--datacenter", "bench", "--admin-subnet", "10.128.0.0/9"));
    if (dhcp) {
      a.add("--dhcp"); // the booter beside the NAPI the fleet's NICs are seeded into
    }
    if (!changefeed) {
      a.add("--no-changefeed");
    }
    return a;
  }

  /**
   * A logback configuration for run-servers in the bench root: the jar's own, with the fleet's
   * logger at info so that its start-up line on the changefeed mode is written; null (and the
   * jar's configuration used) if the jar's cannot be read.
   */
  private static Path runServersLogback(Path root) {
    try (InputStream in = Bench.class.getResourceAsStream("/logback.xml")) {
      if (in == null) {
        return null;
      }
      String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int at = xml.indexOf("<root");
      if (at < 0) {
        return null;
      }
      xml = xml.substring(0, at) + "<logger name=\"com.joyent.mockcloud.fleet.Fleet\" level=\"info\"/>\n  "
          + xml.substring(at);
      Path f = root.resolve("run-servers-logback.xml");
      Files.writeString(f, xml);
      return f;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The changefeed mode run-servers' net-agents use, from its start-up line in its log:
   * {mode, the whole message}; null when the log has no such line.
   */
  static String[] changefeedUsed(Path log) {
    try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
      return lines.filter(l -> l.contains(CHANGEFEED_LINE)).findFirst().map(l -> {
        String msg = l;
        try {
          if (Json.parseObject(l.getBytes(StandardCharsets.UTF_8)).get("msg") instanceof String m) {
            msg = m;
          }
        } catch (RuntimeException e) {
          // not a bunyan line: the raw line
        }
        String after = msg.substring(msg.indexOf(CHANGEFEED_LINE) + CHANGEFEED_LINE.length());
        String mode = after.split("[^a-z-]", 2)[0];
        return new String[] {mode, msg};
      }).orElse(null);
    } catch (IOException | UncheckedIOException e) {
      return null;
    }
  }

  /** {@code count} CNs spread over the fleet, with their cn-agent ports from CNAPI's sysinfo. */
  private List<OversizedBodies.Target> oversizedTargets(JsonHttpClient cn, List<UUID> uuids, int count) throws IOException {
    List<OversizedBodies.Target> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      UUID u = uuids.get((int) ((long) i * uuids.size() / count));
      Integer port = cnAgentPort(cn, u);
      if (port != null) {
        out.add(new OversizedBodies.Target(u.toString(), port));
      }
    }
    if (out.size() < count) {
      say("only %d of %d CNs have a cn-agent port in CNAPI's sysinfo: %d oversized bodies", out.size(), count, out.size());
    }
    return out;
  }

  /** The oversized bodies, all at once; their figures for the JSON (the heartbeat verdict comes later). */
  private Map<String, Object> oversizedBodies(List<OversizedBodies.Target> targets, double atS) throws InterruptedException {
    long bytes = (long) o.oversizedBodyMb() << 20;
    say("sending %d oversized POST /tasks bodies of %d MiB at once (half chunked), one to each of %d CNs' cn-agents",
        targets.size(), o.oversizedBodyMb(), targets.size());
    List<OversizedBodies.Outcome> outcomes = OversizedBodies.run(targets, bytes, OversizedBodies.DEADLINE);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at_s_into_hold", round(atS));
    m.put("deadline_s", OversizedBodies.DEADLINE.toSeconds());
    m.putAll(OversizedBodies.summary(outcomes, o.oversizedBodyMb(), bytes));
    say("oversized bodies: %s answered 413 (%s then closed), %s other; time to the answer p50 %s / max %s ms",
        m.get("answered_413"), m.get("closed_after_413"), m.get("other"), m.get("p50_ms"), m.get("max_ms"));
    return m;
  }

  private static Integer cnAgentPort(JsonHttpClient cn, UUID u) throws IOException {
    Map<String, Object> server = cn.send("GET", "/servers/" + u, null).bodyObject();
    Object port = server.get("sysinfo") instanceof Map<?, ?> s ? s.get("CN Agent Port") : null;
    return port instanceof Number p ? p.intValue() : null;
  }

  /** A loopback port free right now (the OS picks it; run-servers binds it moments later). */
  static int freeLoopbackPort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      return s.getLocalPort();
    }
  }

  /** run-servers' metrics page now; null (the reason kept for the notes) when there is none. */
  private PromMetrics scrape() {
    if (control == null) {
      return null;
    }
    try {
      OutboundHttp.Response a = http.send(new OutboundHttp.Request("GET", control, "/metrics",
          Map.of("accept", "text/plain; version=0.0.4"), null, Duration.ofSeconds(10))).get(15, TimeUnit.SECONDS);
      if (a.status() != 200) {
        noteMetricsProblem("GET " + control + "/metrics answered " + a.status());
        return null;
      }
      return PromMetrics.parse(new String(a.body(), StandardCharsets.UTF_8));
    } catch (ExecutionException e) {
      noteMetricsProblem("GET " + control + "/metrics: " + e.getCause());
    } catch (TimeoutException e) {
      noteMetricsProblem("GET " + control + "/metrics: no answer within 15 s");
    } catch (IllegalArgumentException e) {
      noteMetricsProblem("GET " + control + "/metrics: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      noteMetricsProblem("interrupted");
    }
    return null;
  }

  private void noteMetricsProblem(String why) {
    if (metricsProblem == null) {
      metricsProblem = why;
      say("run-servers exposes no metrics (%s): heartbeat lag figures left out", why);
    }
  }

  private Map<String, Object> lagWindow(PromMetrics start, PromMetrics end) {
    return start == null || end == null ? HeartbeatLag.unavailable(metricsProblem) : HeartbeatLag.window(start, end);
  }

  /** VM NICs go on NAPI's admin network, from its second quarter up (CN admin IPs use the first). */
  static FleetGenerator.VmNetwork adminNetwork(JsonHttpClient napi) throws IOException {
    Map<String, Object> n = napi.send("GET", "/networks/admin", null).bodyObject();
    if (!(n.get("uuid") instanceof String uuid) || !(n.get("subnet") instanceof String subnet)) {
      return null;
    }
    String[] cidr = subnet.split("/");
    String[] q = cidr[0].split("\\.");
    long base = Long.parseLong(q[0]) << 24 | Long.parseLong(q[1]) << 16 | Long.parseLong(q[2]) << 8 | Long.parseLong(q[3]);
    long size = 1L << (32 - Integer.parseInt(cidr[1]));
    List<String> resolvers = new ArrayList<>();
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
    @SuppressWarnings("unchecked")
    Map<String, Object> requests = (Map<String, Object>) a.bodyObject().get("requests");
    lastRequests = requests;
    return hb;
  }

  /**
   * Rules for the fleet's firewalled VMs (FleetGenerator tags them role=web or role=db): the
   * firewallers' syncs then resolve and write real rules. None names VMs on both sides, so no CN
   * has to hold the fleet's VMs as remote VMs.
   */
  private static int seedFwapiRules(JsonHttpClient fw) throws IOException {
    List<String> rules = List.of("FROM any TO tag role = web ALLOW tcp PORT 443",
        "FROM any TO tag role = db ALLOW tcp PORT 5432", "FROM any TO all vms ALLOW tcp PORT 22");
    for (String rule : rules) {
      ApiResponse a = fw.send("POST", "/rules", Map.of("owner_uuid", SandboxOptions.DEFAULT_ADMIN_UUID, "enabled", true,
          "rule", rule));
      if (!a.isSuccessful()) {
        throw new IOException("FWAPI refused the bench's rule " + rule + ": " + a.status() + " " + a.body());
      }
    }
    return rules.size();
  }

  /** How many firewallers FWAPI's push has connected (its {@code /ping?agents=true}), or null. */
  private static Object connectedFirewallers(JsonHttpClient fw) throws IOException {
    ApiResponse a = fw.send("GET", "/ping?agents=true", null);
    if (!a.isSuccessful() || !(a.bodyObject().get("agents") instanceof Map<?, ?> agents)) {
      return null;
    }
    return agents.get("connected") instanceof List<?> l ? l.size() : null;
  }

  /** {api: {requests, per_s}} of the receiver over a window of {@code seconds}. */
  static Map<String, Object> requestRates(Map<String, Object> requests, double seconds) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (requests == null || seconds <= 0) {
      return m;
    }
    requests.forEach((api, n) -> {
      long count = ((Number) n).longValue();
      m.put(api, Map.of("requests", count, "per_s", round(count / seconds)));
    });
    return m;
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
      Integer port = cnAgentPort(cn, u);
      if (port == null) {
        continue;
      }
      List<String> vms = new ArrayList<>();
      try (var files = Files.list(root.resolve("servers").resolve(u.toString()).resolve("vms"))) {
        files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json"))
            .forEach(n -> vms.add(n.substring(0, n.length() - 5)));
      }
      out.add(new TaskMix.Cn(u.toString(), port, vms, i));
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
