package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.io.FileTrees;
import com.joyent.mockcloud.mirror.MirrorArchive;
import com.joyent.mockcloud.mirror.MirrorExporter;
import com.joyent.mockcloud.mirror.MirrorImporter;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.sandbox.SandboxOptions;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmFileSystem;
import com.joyent.mockcloud.vm.VmStore;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code mirror bench}: how long {@code mirror export} and {@code mirror import} take for a
 * datacenter of N servers with M VMs each (docs/benchmark.md "Mirror"). The source is a sandbox
 * holding what such a datacenter's APIs hold (every CN's sysinfo in CNAPI, every VM in VMAPI as
 * vm-agent reports it, every NIC in NAPI), generated as the main benchmark generates its fleet;
 * the target a second, empty sandbox and a new root. Both run in this JVM, so the figures
 * include the APIs' own work, as a lab's would.
 */
public final class MirrorBench {
  private MirrorBench() {}

  public static Map<String, Object> run(int servers, int vmsPerServer, PrintWriter out) throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    Path work = Files.createTempDirectory("mockcloud-mirror-bench-");
    OutboundHttp http = OutboundHttp.standalone();
    try (Sandbox source = Sandbox.start(SandboxOptions.defaults().withAdminSubnet("10.128.0.0/9"));
        Sandbox target = Sandbox.start(SandboxOptions.defaults())) {
      JsonHttpClient napi = client(http, source.napiUrl(), "NAPI");
      long g0 = System.nanoTime();
      Path rootA = work.resolve("source");
      FleetGenerator.Generated fleet = FleetGenerator.generate(rootA, servers, vmsPerServer, source.datacenter(),
          Bench.adminNetwork(napi));
      NapiSeeder.seed(napi, fleet.napiNics());
      fillCnapiAndVmapi(source, new ServerRoot(rootA));
      r.put("generate_s", seconds(g0));
      out.printf("source datacenter: %d servers, %d VMs, %d NICs (%.1f s to make)%n", servers,
          source.vmapi().vms().size(), source.napi().nics().size(), seconds(g0));
      out.flush();

      Path file = work.resolve("dc.json.gz");
      long e0 = System.nanoTime();
      MirrorArchive archive = new MirrorExporter(client(http, source.cnapiUrl(), "CNAPI"),
          client(http, source.vmapiUrl(), "VMAPI"), napi, null, Clock.systemUTC(), line -> { }).export();
      archive.write(file);
      r.put("export_s", seconds(e0));
      r.put("archive_mb", Math.round(Files.size(file) / 1e5) / 10.0);
      out.printf("export: %.1f s (archive %.1f MB)%n", seconds(e0), Files.size(file) / 1e6);
      out.flush();

      long i0 = System.nanoTime();
      MirrorImporter.Result imported = new MirrorImporter(MirrorArchive.read(file),
          new ServerRoot(work.resolve("target")), client(http, target.napiUrl(), "NAPI"),
          client(http, target.cnapiUrl(), "CNAPI"),
          new MirrorImporter.Options(target.adminUuid(), target.datacenter(), false), line -> { }).run();
      r.put("import_s", seconds(i0));
      r.put("imported_servers", imported.serversCreated());
      r.put("imported_vms", imported.vmsWritten());
      r.put("imported_nics", imported.nicsCreated());
      out.printf("import: %.1f s (%d mock CNs, %d VM files, %d NICs in NAPI)%n", seconds(i0),
          imported.serversCreated(), imported.vmsWritten(), imported.nicsCreated());
      out.flush();
    } finally {
      FileTrees.deleteTree(work);
    }
    return r;
  }

  /** What registration and vm-agent's first sync would have left in CNAPI and VMAPI. */
  private static void fillCnapiAndVmapi(Sandbox sb, ServerRoot root) throws Exception {
    try (VmStore store = VmStore.builder().fileSystem(VmFileSystem.NO_FSYNC).executor(Runnable::run)
        .watchMode(VmStore.WatchMode.OFF).build()) {
      for (ServerDirectory d : root.list()) {
        String uuid = d.uuid().toString();
        sb.cnapi().servers().registerSysinfo(uuid, d.readSysinfo());
        ServerVms vms = store.openServer(uuid, d.dir());
        sb.vmapi().vms().putAll(new LinkedHashMap<>(vms.vms()));
        store.closeServer(uuid);
      }
    }
  }

  private static JsonHttpClient client(OutboundHttp http, String url, String api) {
    return JsonHttpClient.to(http, URI.create(url), api).userAgent("mockcloud-mirror-bench").build();
  }

  private static double seconds(long since) {
    return Math.round((System.nanoTime() - since) / 1e8) / 10.0;
  }
}
