package com.joyent.mockcloud.e2e;

import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.config.SettingsLoader;
import com.joyent.mockcloud.config.ZoneMetadata;
import com.joyent.mockcloud.cli.FleetSetupScripts;
import com.joyent.mockcloud.configagent.ConfigAgentOptions;
import com.joyent.mockcloud.fleet.Daemon;
import com.joyent.mockcloud.fleet.DaemonOptions;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.sandbox.SandboxOptions;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerCreator;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.triton.TritonApis;
import com.joyent.mockcloud.triton.UserAgent;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A sandbox and a run-servers daemon in this JVM over a root, as the README's sandbox command
 * runs them: settings pointing at the sandbox, a creator for mock CNs, the daemon started on
 * demand. Close it to stop both.
 */
final class SandboxFleet implements AutoCloseable {
  final Sandbox sandbox;
  final Settings settings;
  final ServerCreator creator;
  private final Path root;
  private Daemon daemon;
  /** config-agent's timings for the fleet {@link #start()} starts. */
  ConfigAgentOptions configAgent = ConfigAgentOptions.defaults();
  /** The firewallers' timings for the fleet {@link #start()} starts. */
  com.joyent.mockcloud.firewaller.FirewallerOptions firewaller = com.joyent.mockcloud.firewaller.FirewallerOptions.defaults();

  /** The DHCP clients' timings for the fleet {@link #start()} starts (--admin-ip-source dhcp). */
  com.joyent.mockcloud.booter.DhcpTiming dhcpTiming = com.joyent.mockcloud.booter.DhcpTiming.standard();

  /** {@code extra} settings (e.g. FLEET_TRAITS) go beside the sandbox's. */
  SandboxFleet(Path root, Map<Setting, String> extra) {
    this(root, sb -> extra);
  }

  /** Settings that need the sandbox (the booter's port) beside the sandbox's. */
  SandboxFleet(Path root, java.util.function.Function<Sandbox, Map<Setting, String>> extra) {
    this.root = root;
    this.sandbox = Sandbox.start(SandboxOptions.defaults());
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.ROOT, root.toString());
    flags.put(Setting.DATACENTER, sandbox.datacenter());
    flags.put(Setting.ADMIN_UUID, sandbox.adminUuid());
    flags.put(Setting.NAPI_URL, sandbox.napiUrl());
    flags.put(Setting.CNAPI_URL, sandbox.cnapiUrl());
    flags.put(Setting.VMAPI_URL, sandbox.vmapiUrl());
    flags.put(Setting.SAPI_URL, sandbox.sapiUrl());
    flags.put(Setting.FWAPI_URL, sandbox.fwapiUrl());
    flags.put(Setting.FWAPI_FAST_PORT, Integer.toString(sandbox.fwapiFastPort()));
    flags.putAll(extra.apply(sandbox));
    this.settings = new SettingsLoader(flags, Map.of(), null, ZoneMetadata.NONE).load();
    this.creator = new ServerCreator(new ServerRoot(root), TritonApis.standalone(settings).napi(UserAgent.tool("test")),
        sandbox.datacenter(), UUID.fromString(sandbox.adminUuid()), "20190718T003512Z", Clock.systemUTC(),
        new Random()).adoptingInto(TritonApis.standalone(settings).sapi(UserAgent.tool("test")));
  }

  SandboxFleet(Path root) {
    this(root, Map.of());
  }

  /** A new mock CN of the standard profile. */
  UUID createServer() throws Exception {
    return creator.create(ServerCreator.Request.random(HardwareProfile.STANDARD)).uuid();
  }

  /** Starts run-servers over the root. */
  Daemon start() throws Exception {
    daemon = new Daemon(settings, DaemonOptions.ephemeral(CnAgentOptions.defaults().withTmpDir(root.resolve("t")))
        .withConfigAgent(configAgent).withFirewaller(firewaller).withDhcpTiming(dhcpTiming)).start();
    // Setup and factory reset reboot the CN: one second down keeps the tests short.
    sandbox.setupScripts(new FleetSetupScripts(daemon.fleet().actions(), daemon.threads().taskPool(),
        Duration.ofSeconds(1)));
    return daemon;
  }

  Daemon daemon() {
    return daemon;
  }

  /** Waits for CNAPI to have a heartbeat of {@code server}. */
  void awaitHeartbeat(UUID server) throws InterruptedException {
    Await.require(Duration.ofSeconds(20), () -> sandbox.cnapi().servers().lastHeartbeat(server.toString()) != null,
        "a heartbeat of " + server);
  }

  @Override
  public void close() {
    try {
      if (daemon != null) {
        daemon.close();
      }
    } finally {
      sandbox.close();
    }
  }
}
