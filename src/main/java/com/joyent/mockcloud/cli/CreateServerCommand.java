package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.PlatformImage;
import com.joyent.mockcloud.server.ServerCreator;
import com.joyent.mockcloud.server.ServerDeleter;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.server.Traits;
import com.joyent.mockcloud.triton.TritonApis;
import com.joyent.mockcloud.triton.UserAgent;
import java.io.IOException;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code create-server}: makes new mock CN directories, each with an admin NIC from NAPI.
 * {@code --ensure N} makes exactly N exist, deleting the least recently modified extras.
 */
@Command(name = "create-server", mixinStandardHelpOptions = true,
    description = "Create mock CNs (server directories with sysinfo, vms/, agents/), "
        + "allocating each admin NIC from NAPI as booter does.")
public final class CreateServerCommand implements Callable<Integer> {
  @Mixin SettingsOptions options;

  @Option(names = "--count", paramLabel = "N", description = "how many servers to create (default 1)")
  Integer count;

  @Option(names = "--ensure", paramLabel = "N",
      description = "make exactly N servers exist: create the missing ones or delete the oldest extras")
  Integer ensure;

  @Option(names = "--profile", paramLabel = "NAME", defaultValue = "standard",
      description = "hardware profile: small, standard, large-storage (default standard)")
  String profile;

  @Option(names = "--uuid", paramLabel = "UUID", description = "fixed server UUID (only with a count of 1)")
  String uuid;

  @Option(names = "--hostname", paramLabel = "NAME", description = "fixed hostname (only with a count of 1)")
  String hostname;

  @Option(names = "--traits", paramLabel = "JSON",
      description = "CNAPI traits the CNs assert at every start, e.g. '{\"mockcloud\": true}' (written to traits.json)")
  String traits;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    // Every argument is checked before anything is created or any API is called.
    if (count != null && ensure != null) {
      throw new IllegalArgumentException("--count and --ensure cannot be used together");
    }
    int n = count == null ? 1 : count;
    if (n < 1) {
      throw new IllegalArgumentException("--count must be at least 1, got " + n);
    }
    if (ensure != null && ensure < 0) {
      throw new IllegalArgumentException("--ensure must be 0 or more, got " + ensure);
    }
    if ((uuid != null || hostname != null) && (n != 1 || ensure != null)) {
      throw new IllegalArgumentException("--uuid and --hostname need a count of 1");
    }
    UUID fixedUuid = uuid == null ? null : ServerCreator.parseUuid(uuid);
    if (hostname != null && !hostname.matches("^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")) {
      throw new IllegalArgumentException("--hostname must be a host name (letters, digits, '-'), got \"" + hostname + "\"");
    }
    HardwareProfile hw = HardwareProfile.byId(profile);
    Map<String, Object> traitsObject = traits == null ? null : Traits.parse("--traits", traits);
    Settings settings = options.settings();
    ServerRoot root = new ServerRoot(settings.root());
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();

    if (ensure != null) {
      List<ServerDirectory> existing = root.listOldestFirst();
      if (existing.size() == ensure) {
        out.println("Already have " + ensure + " mock servers");
        out.flush();
        return 0;
      }
      out.println("Ensuring " + ensure + " mock servers (currently have " + existing.size() + ")");
      out.flush();
      if (existing.size() > ensure) {
        TritonApis apis = TritonApis.standalone(settings);
        String ua = UserAgent.tool("delete-server");
        ServerDeleter deleter = new ServerDeleter(root, apis.cnapi(ua), apis.napi(ua), apis.vmapi(ua), msg -> { });
        for (ServerDirectory d : existing.subList(0, existing.size() - ensure)) {
          deleter.delete(d.uuid());
          err.println("deleted server: " + d.uuid());
          err.flush();
        }
        return 0;
      }
      n = ensure - existing.size();
    }
    ServerCreator creator = new ServerCreator(root, TritonApis.standalone(settings).napi(UserAgent.tool("create-server")),
        settings.requireDatacenter(), settings.requireAdminUuid(), PlatformImage.current(),
        Clock.systemUTC(), new SecureRandom());
    if (settings.sapiUrl() != null) {
      creator.adoptingInto(TritonApis.standalone(settings).sapi(UserAgent.tool("create-server")));
    }
    Progress progress = new Progress(err, n);
    for (int i = 0; i < n; i++) {
      ServerDirectory d = creator.create(new ServerCreator.Request(fixedUuid, hostname, hw, traitsObject));
      progress.created(d);
    }
    progress.done();
    return 0;
  }

  /** One line per server for small runs; a line every two seconds for big ones. */
  private static final class Progress {
    private final PrintWriter err;
    private final int total;
    private final long start = System.nanoTime();
    private int done;
    private long lastPrint = System.nanoTime();

    Progress(PrintWriter err, int total) {
      this.err = err;
      this.total = total;
    }

    void created(ServerDirectory d) {
      done++;
      if (total <= 20) {
        err.println("created server: " + d.uuid());
        err.flush();
      } else if (System.nanoTime() - lastPrint > 2_000_000_000L) {
        lastPrint = System.nanoTime();
        err.printf("created %d/%d servers%n", done, total);
        err.flush();
      }
    }

    void done() {
      if (total > 20) {
        err.printf("created %d servers in %.1f s%n", done, (System.nanoTime() - start) / 1e9);
        err.flush();
      }
    }
  }
}
