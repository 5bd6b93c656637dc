package com.joyent.mockcloud.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.sandbox.Sandbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  private SandboxFleet fleet;

  @AfterEach
  void tearDown() {
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void sdcClientsSuite_passesEveryCheck() throws Exception {
    String node = nodeOrSkip();
    fleet = new SandboxFleet(tmp);
    Sandbox sandbox = fleet.sandbox;
    List<String> servers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      servers.add(fleet.createServer().toString());
    }
    fleet.start();
    for (String s : servers) {
      fleet.awaitHeartbeat(UUID.fromString(s));
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
