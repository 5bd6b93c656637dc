package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.bench.MirrorBench;
import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.mirror.Anonymiser;
import com.joyent.mockcloud.mirror.MirrorArchive;
import com.joyent.mockcloud.mirror.MirrorDiff;
import com.joyent.mockcloud.mirror.MirrorExporter;
import com.joyent.mockcloud.mirror.MirrorImporter;
import com.joyent.mockcloud.sandbox.SandboxOptions;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.triton.UserAgent;
import com.joyent.mockcloud.util.Uuids;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mirror export|import|diff}: a datacenter into an archive, an archive into mock CNs, two archives compared. */
@Command(name = "mirror", mixinStandardHelpOptions = true,
    description = "Mirror a datacenter into mock CNs: export it through its APIs, import the archive, compare two.",
    subcommands = {MirrorCommand.Export.class, MirrorCommand.Import.class, MirrorCommand.Diff.class,
        MirrorCommand.Bench.class})
public final class MirrorCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a subcommand: export, import or diff");
  }

  static JsonHttpClient client(OutboundHttp http, String url, String api, String option) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " is not a URL: " + url);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException(option + " must be an http:// URL, got " + url);
    }
    return JsonHttpClient.to(http, uri, api).userAgent(UserAgent.tool("mirror")).build();
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Read every server, VM, network, pool, nic tag and NIC (and package) of a datacenter, with "
          + "GETs only, into one compressed JSON archive.")
  static final class Export implements Callable<Integer> {
    @Option(names = "--cnapi", required = true, paramLabel = "URL") String cnapi;
    @Option(names = "--vmapi", required = true, paramLabel = "URL") String vmapi;
    @Option(names = "--napi", required = true, paramLabel = "URL") String napi;
    @Option(names = "--papi", paramLabel = "URL", description = "also export PAPI's packages") String papi;
    @Option(names = "--out", required = true, paramLabel = "FILE") Path out;
    @Option(names = "--anonymise", description = "replace owner uuids, aliases, hostnames, metadata values and "
        + "public IPs consistently (docs/mirror.md says what is kept)") boolean anonymise;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      OutboundHttp http = OutboundHttp.standalone();
      MirrorExporter exporter = new MirrorExporter(client(http, cnapi, "CNAPI", "--cnapi"),
          client(http, vmapi, "VMAPI", "--vmapi"), client(http, napi, "NAPI", "--napi"),
          papi == null ? null : client(http, papi, "PAPI", "--papi"), Clock.systemUTC(), line -> {
            err.println("export: " + line);
            err.flush();
          });
      MirrorArchive archive = exporter.export();
      if (anonymise) {
        archive = Anonymiser.withRandomKey().apply(archive);
      }
      archive.write(out);
      PrintWriter o = spec.commandLine().getOut();
      o.println("wrote " + out + ": " + archive.section("servers").size() + " servers, "
          + archive.section("vms").size() + " VMs, " + archive.section("networks").size() + " networks, "
          + archive.section("nics").size() + " NICs" + (anonymise ? " (anonymised)" : ""));
      o.flush();
      return 0;
    }
  }

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = "Create one mock CN per exported server under --root, with its VMs, and the archive's nic tags, "
          + "networks, pools and NICs in the target NAPI. Running it again resumes or changes nothing.")
  static final class Import implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") Path file;
    @Option(names = "--root", required = true, paramLabel = "DIR") Path root;
    @Option(names = "--napi", required = true, paramLabel = "URL") String napi;
    @Option(names = "--cnapi", paramLabel = "URL",
        description = "also set each CN's reserved, reservation_ratio, traits and comments in this CNAPI") String cnapi;
    @Option(names = "--admin-uuid", paramLabel = "UUID", defaultValue = SandboxOptions.DEFAULT_ADMIN_UUID,
        description = "the target's admin user, owner of admin NICs (default the sandbox's)") String adminUuid;
    @Option(names = "--datacenter", paramLabel = "NAME",
        description = "the mock CNs' datacenter name (default the archive's)") String datacenter;
    @Option(names = "--new-uuids", description = "give every object a new uuid (and MAC) instead of the archive's")
    boolean newUuids;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (!Uuids.isUuid(adminUuid)) {
        throw new IllegalArgumentException("--admin-uuid is not a UUID: " + adminUuid);
      }
      MirrorArchive archive = MirrorArchive.read(file);
      PrintWriter err = spec.commandLine().getErr();
      OutboundHttp http = OutboundHttp.standalone();
      MirrorImporter.Result r = new MirrorImporter(archive, new ServerRoot(root.toAbsolutePath()),
          client(http, napi, "NAPI", "--napi"), cnapi == null ? null : client(http, cnapi, "CNAPI", "--cnapi"),
          new MirrorImporter.Options(adminUuid, datacenter != null ? datacenter : archive.datacenter(), newUuids),
          line -> {
            err.println("import: " + line);
            err.flush();
          }).run();
      PrintWriter o = spec.commandLine().getOut();
      o.println("imported " + file + " into " + root + ": " + r.serversCreated() + " mock CNs created ("
          + r.serversKept() + " already there), " + r.vmsWritten() + " VMs written (" + r.vmsKept()
          + " already there), " + r.nicsCreated() + " NICs created (" + r.nicsKept() + " already there), "
          + r.networksCreated() + " networks, " + r.poolsCreated() + " pools, " + r.nicTagsCreated() + " nic tags"
          + (r.vmsWithoutServer() > 0 ? "; " + r.vmsWithoutServer() + " VMs skipped (no server in the archive)" : ""));
      o.flush();
      return 0;
    }
  }

  @Command(name = "diff", mixinStandardHelpOptions = true,
      description = "Compare two archives; exit 0 when they differ only where an import changes things by design.")
  static final class Diff implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LEFT") Path left;
    @Parameters(index = "1", paramLabel = "RIGHT") Path right;
    @Option(names = "--show-by-design", description = "also list the differences an import makes by design")
    boolean showByDesign;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      List<MirrorDiff.Difference> diffs = MirrorDiff.compare(MirrorArchive.read(left), MirrorArchive.read(right));
      PrintWriter o = spec.commandLine().getOut();
      long real = diffs.stream().filter(d -> !d.byDesign()).count();
      for (MirrorDiff.Difference d : diffs) {
        if (!d.byDesign() || showByDesign) {
          o.println(d);
        }
      }
      o.println(real == 0 ? "equal (" + (diffs.size() - real) + " differences by design)"
          : real + " differences (" + (diffs.size() - real) + " more by design)");
      o.flush();
      return real == 0 ? 0 : Main.EXIT_FAILURE;
    }
  }

  @Command(name = "bench", mixinStandardHelpOptions = true,
      description = "Time mirror export and mirror import of a generated datacenter (two sandboxes in this JVM); "
          + "prints the figures and their JSON.")
  static final class Bench implements Callable<Integer> {
    @Option(names = "--servers", paramLabel = "N", defaultValue = "2000") int servers;
    @Option(names = "--vms", paramLabel = "M", defaultValue = "10", description = "VMs per server") int vms;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (servers < 1 || vms < 0) {
        throw new IllegalArgumentException("--servers must be at least 1 and --vms 0 or more");
      }
      PrintWriter o = spec.commandLine().getOut();
      o.println(com.joyent.mockcloud.json.Json.compact(MirrorBench.run(servers, vms, o)));
      o.flush();
      return 0;
    }
  }
}
