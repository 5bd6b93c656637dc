package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.config.SettingsLoader;
import com.joyent.mockcloud.config.ZoneMetadata;
import com.joyent.mockcloud.fleet.Daemon;
import com.joyent.mockcloud.booter.DhcpTiming;
import com.joyent.mockcloud.fleet.DaemonOptions;
import com.joyent.mockcloud.fleet.ServerActions;
import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.io.FileTrees;
import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.mirror.MirrorArchive;
import com.joyent.mockcloud.mirror.MirrorImporter;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.sandbox.SandboxOptions;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.PlatformImage;
import com.joyent.mockcloud.server.ServerCreator;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.triton.TritonApis;
import com.joyent.mockcloud.triton.UserAgent;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sandbox}: the embedded Triton stand-ins (NAPI, CNAPI, VMAPI) on loopback, N mock
 * CNs created against them (admin NICs from the sandbox NAPI), and run-servers for them, all
 * in this JVM: register, heartbeat, provision through CNAPI, VMs in VMAPI.
 */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
    description = "Run the embedded Triton stand-ins (NAPI, CNAPI, VMAPI) on loopback with N mock CNs "
        + "registered and heartbeating against them. Prints the API URLs; stop with Ctrl-C.")
public final class SandboxCommand implements Callable<Integer> {
  @Option(names = "--servers", paramLabel = "N", defaultValue = "3",
      description = "mock CNs to run (default 3); existing ones in --root count")
  int servers;

  @Option(names = "--root", paramLabel = "DIR",
      description = "mockcloud root, kept (default: a new temporary directory, removed on exit)")
  Path root;

  @Option(names = "--keep-root", description = "keep the temporary root on exit (its path is printed)")
  boolean keepRoot;

  @Option(names = "--apis-only", description = "only the stand-in APIs: no servers, no agents "
      + "(point a separate run-servers at the printed URLs)")
  boolean apisOnly;

  @Option(names = "--url-file", paramLabel = "FILE", description = "also write the URLs as JSON to FILE (for scripts)")
  Path urlFile;

  @Option(names = "--duration", paramLabel = "SECONDS", description = "stop by itself after this long")
  Long duration;

  @Option(names = "--datacenter", paramLabel = "NAME", defaultValue = "sandbox", description = "datacenter name (default sandbox)")
  String datacenter;

  @Option(names = "--admin-subnet", paramLabel = "CIDR", defaultValue = "10.99.0.0/16",
      description = "admin network of the sandbox NAPI; one IP per mock CN (default 10.99.0.0/16)")
  String adminSubnet;

  @Option(names = "--no-changefeed", description = "NAPI without its changefeed (404 to /changefeeds, as an "
      + "older NAPI): net-agents then rely on their periodic refreshes")
  boolean noChangefeed;

  @Option(names = "--from", paramLabel = "FILE", description = "start with the mock CNs, VMs, networks and NICs "
      + "of a mirror export (mirror export); the datacenter name is the archive's unless --datacenter is given")
  Path from;

  @Option(names = "--dhcp", description = "start the booter stand-in (a DHCP server on a loopback UDP port) and "
      + "boot the mock CNs through it, as --admin-ip-source dhcp does against a real booter")
  boolean dhcp;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (servers < 0) {
      throw new IllegalArgumentException("--servers must be 0 or more, got " + servers);
    }
    if (duration != null && duration < 1) {
      throw new IllegalArgumentException("--duration must be at least 1 second, got " + duration);
    }
    PrintWriter out = spec.commandLine().getOut();
    CountDownLatch stop = new CountDownLatch(1);
    Signals.onTermination(stop::countDown);
    MirrorArchive archive = from == null ? null : MirrorArchive.read(from);
    boolean datacenterGiven = spec.commandLine().getParseResult().hasMatchedOption("--datacenter");
    String dc = archive != null && !datacenterGiven && archive.datacenter() != null ? archive.datacenter() : datacenter;
    SandboxOptions sbOptions = SandboxOptions.defaults().withDatacenter(dc).withAdminSubnet(adminSubnet)
        .withChangefeed(!noChangefeed);
    try (Sandbox sb = Sandbox.start(sbOptions)) {
      out.println("sandbox Triton APIs:");
      out.println("  NAPI   " + sb.napiUrl());
      out.println("  CNAPI  " + sb.cnapiUrl());
      out.println("  VMAPI  " + sb.vmapiUrl());
      out.println("  SAPI   " + sb.sapiUrl());
      out.println("  FWAPI  " + sb.fwapiUrl() + " (fast-messages port " + sb.fwapiFastPort() + ")");
      if (dhcp) {
        out.println("  booter " + dhcpServer(sb) + " (DHCP over UDP)");
      }
      out.flush();
      writeUrlFile(sb);
      if (apisOnly) {
        await(stop);
        return 0;
      }
      Path dir = root != null ? root.toAbsolutePath() : Files.createTempDirectory("mockcloud-sandbox-");
      try {
        runServers(sb, dir, archive, stop, out);
      } finally {
        if (root == null && !keepRoot) {
          FileTrees.deleteTree(dir);
        } else if (root == null) {
          out.println("kept " + dir);
          out.flush();
        }
      }
    }
    return 0;
  }

  private void runServers(Sandbox sb, Path dir, MirrorArchive archive, CountDownLatch stop, PrintWriter out)
      throws Exception {
    Settings settings = settingsFor(sb, dir);
    ServerRoot serverRoot = new ServerRoot(dir);
    if (archive != null) {
      OutboundHttp http = OutboundHttp.standalone();
      MirrorImporter.Result r = new MirrorImporter(archive, serverRoot,
          JsonHttpClient.to(http, URI.create(sb.napiUrl()), "NAPI").userAgent(UserAgent.tool("sandbox")).build(),
          JsonHttpClient.to(http, URI.create(sb.cnapiUrl()), "CNAPI").userAgent(UserAgent.tool("sandbox")).build(),
          new MirrorImporter.Options(sb.adminUuid(), sb.datacenter(), false), line -> { }).run();
      out.println("from " + from + ": " + r.serversCreated() + " mock CNs and " + r.vmsWritten() + " VMs imported ("
          + r.serversKept() + " CNs already in the root)");
      out.flush();
    }
    // With --from the archive says how many CNs there are, unless --servers asks for more.
    boolean serversGiven = spec.commandLine().getParseResult().hasMatchedOption("--servers");
    int missing = archive != null && !serversGiven ? 0 : Math.max(0, servers - serverRoot.list().size());
    ServerCreator creator = new ServerCreator(serverRoot, TritonApis.standalone(settings).napi(UserAgent.tool("sandbox")),
        sb.datacenter(), UUID.fromString(sb.adminUuid()), PlatformImage.current(), Clock.systemUTC(),
        new SecureRandom()).adoptingInto(TritonApis.standalone(settings).sapi(UserAgent.tool("sandbox")));
    for (int i = 0; i < missing; i++) {
      creator.create(ServerCreator.Request.random(HardwareProfile.STANDARD));
    }
    Files.createDirectories(serverRoot.serversDir());
    // A sandbox boots in seconds: POST and the kernel are short here; the pace and the RFC's waits are kept.
    DhcpTiming timing = DhcpTiming.standard().withBootSpread(Duration.ofSeconds(1)).withOsBoot(Duration.ofMillis(500));
    try (Daemon daemon = new Daemon(settings, DaemonOptions.ephemeral(
        CnAgentOptions.defaults().withTmpDir(dir.resolve("tmp"))).withDhcpTiming(timing))) {
      daemon.start();
      sb.setupScripts(new FleetSetupScripts(daemon.fleet().actions(), daemon.threads().taskPool(),
          ServerActions.DEFAULT_DOWN));
      out.println("mock CNs: " + (dhcp ? serverRoot.list().size() + " booting through DHCP"
          : Integer.toString(daemon.fleet().running().size())) + " in " + serverRoot.serversDir()
          + " (cmon-agent on port " + daemon.cmon().port()
          + (daemon.firewallerServer().isListening() ? ", firewallers on port " + daemon.firewallerServer().port() : "")
          + ")");
      out.println("try:  curl -s " + sb.cnapiUrl() + "/servers");
      out.println("      curl -s " + sb.cnapiUrl() + "/servers | jq -r '.[] | [.uuid, .hostname, .status] | @tsv'");
      out.println(root != null ? "root " + dir : keepRoot ? "the root " + dir + " is kept on exit (--keep-root)"
          : "the root " + dir + " is removed on exit (--keep-root keeps it)");
      out.flush();
      await(stop);
    }
  }

  private void await(CountDownLatch stop) throws InterruptedException {
    if (duration != null) {
      stop.await(duration, TimeUnit.SECONDS);
    } else {
      stop.await();
    }
  }

  private Settings settingsFor(Sandbox sb, Path root) {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.ROOT, root.toString());
    flags.put(Setting.DATACENTER, sb.datacenter());
    flags.put(Setting.ADMIN_UUID, sb.adminUuid());
    flags.put(Setting.BIND_IP, "127.0.0.1");
    flags.put(Setting.NAPI_URL, sb.napiUrl());
    flags.put(Setting.CNAPI_URL, sb.cnapiUrl());
    flags.put(Setting.VMAPI_URL, sb.vmapiUrl());
    flags.put(Setting.SAPI_URL, sb.sapiUrl());
    flags.put(Setting.FWAPI_URL, sb.fwapiUrl());
    flags.put(Setting.FWAPI_FAST_PORT, Integer.toString(sb.fwapiFastPort()));
    if (dhcp) {
      flags.put(Setting.ADMIN_IP_SOURCE, "dhcp");
      flags.put(Setting.DHCP_SERVER, dhcpServer(sb));
      flags.put(Setting.DHCP_BIND, "127.0.0.1:0");
    }
    return new SettingsLoader(flags, Map.of(), null, ZoneMetadata.NONE).load();
  }

  /** {@code 127.0.0.1:<port>} of the booter stand-in, started by this call if it was not. */
  private static String dhcpServer(Sandbox sb) {
    java.net.InetSocketAddress a = sb.booter().address();
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  private void writeUrlFile(Sandbox sb) throws IOException {
    if (urlFile == null) {
      return;
    }
    Map<String, Object> urls = new LinkedHashMap<>();
    urls.put("napiUrl", sb.napiUrl());
    urls.put("cnapiUrl", sb.cnapiUrl());
    urls.put("vmapiUrl", sb.vmapiUrl());
    urls.put("sapiUrl", sb.sapiUrl());
    urls.put("fwapiUrl", sb.fwapiUrl());
    urls.put("fwapiFastPort", sb.fwapiFastPort());
    if (dhcp) {
      urls.put("dhcpServer", dhcpServer(sb));
    }
    urls.put("datacenter", sb.datacenter());
    urls.put("adminUuid", sb.adminUuid());
    Path f = urlFile.toAbsolutePath();
    Files.createDirectories(f.getParent());
    AtomicFiles.write(f, Json.prettyBytes(urls, 2), false);
  }
}
