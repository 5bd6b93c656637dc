package com.joyent.mockcloud.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.config.SettingsLoader;
import com.joyent.mockcloud.config.ZoneMetadata;
import com.joyent.mockcloud.fleet.Daemon;
import com.joyent.mockcloud.fleet.DaemonOptions;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.sandbox.SandboxOptions;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerCreator;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.triton.TritonApis;
import com.joyent.mockcloud.triton.UserAgent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Joyent's sdc-clients (the npm package Triton's APIs and tools use, pinned in
 * src/test/node/package-lock.json) against the sandbox with two mock CNs: the CNAPI, VMAPI
 * and NAPI calls of src/test/node/sdc-clients-suite.js, each a check that must pass. Needs
 * Node.js and the suite's packages (the Maven build installs them with npm); without them the
 * test is skipped, except under CI=true, where it fails.
 */
class SdcClientsSuiteTest {
  private static final Path SUITE_DIR = Path.of("src/test/node");
  @TempDir Path tmp;
  private Sandbox sandbox;
  private Daemon daemon;

  @AfterEach
  void tearDown() {
    if (daemon != null) {
      daemon.close();
    }
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void sdcClientsSuite_passesEveryCheck() throws Exception {
    String node = nodeOrSkip();
    sandbox = Sandbox.start(SandboxOptions.defaults());
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.ROOT, tmp.toString());
    flags.put(Setting.DATACENTER, sandbox.datacenter());
    flags.put(Setting.ADMIN_UUID, sandbox.adminUuid());
    flags.put(Setting.NAPI_URL, sandbox.napiUrl());
    flags.put(Setting.CNAPI_URL, sandbox.cnapiUrl());
    flags.put(Setting.VMAPI_URL, sandbox.vmapiUrl());
    Settings settings = new SettingsLoader(flags, Map.of(), null, ZoneMetadata.NONE).load();
    ServerCreator creator = new ServerCreator(new ServerRoot(tmp), TritonApis.standalone(settings)
        .napi(UserAgent.tool("test")), sandbox.datacenter(), UUID.fromString(sandbox.adminUuid()),
        "20190718T003512Z", Clock.systemUTC(), new Random());
    List<String> servers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      servers.add(creator.create(ServerCreator.Request.random(HardwareProfile.STANDARD)).uuid().toString());
    }
    daemon = new Daemon(settings, DaemonOptions.ephemeral(CnAgentOptions.defaults().withTmpDir(tmp.resolve("t"))))
        .start();
    for (String s : servers) {
      Await.require(Duration.ofSeconds(20), () -> sandbox.cnapi().servers().lastHeartbeat(s) != null, "heartbeats");
    }

    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("cnapiUrl", sandbox.cnapiUrl());
    cfg.put("vmapiUrl", sandbox.vmapiUrl());
    cfg.put("napiUrl", sandbox.napiUrl());
    cfg.put("adminUuid", sandbox.adminUuid());
    cfg.put("servers", servers);
    Process p = new ProcessBuilder(node, "sdc-clients-suite.js", Json.compact(cfg)).directory(SUITE_DIR.toFile())
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("the suite ends").isTrue();
    List<String> lines = out.lines().filter(l -> l.startsWith("{")).toList();
    assertThat(lines).as(out).hasSizeGreaterThanOrEqualTo(8);
    for (String line : lines) {
      @SuppressWarnings("unchecked")
      Map<String, Object> check = (Map<String, Object>) Json.parse(line.getBytes(StandardCharsets.UTF_8));
      assertThat(check.get("ok")).as(check.get("check") + ": " + check.get("error")).isEqualTo(true);
    }
    assertThat(p.exitValue()).as(out).isZero();
  }

  /** The node binary, or a skip that says how to get it (a failure under CI=true). */
  private static String nodeOrSkip() throws Exception {
    String node = null;
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "node"))) {
        node = Path.of(dir, "node").toString();
        break;
      }
    }
    String missing = node == null ? "Node.js is not on the PATH: install Node.js 18 or later with npm "
        + "(e.g. apt-get install nodejs npm), then run the build again, which installs the suite's packages"
        : !Files.isRegularFile(SUITE_DIR.resolve("node_modules/sdc-clients/package.json"))
            ? "the suite's npm packages are not installed: run sh src/test/node/install.sh (the build does)"
            : null;
    if (missing != null) {
      assertThat("true".equals(System.getenv("CI"))).as("under CI the sdc-clients suite must run: " + missing)
          .isFalse();
      Assumptions.abort("sdc-clients suite skipped: " + missing);
    }
    return node;
  }
}
