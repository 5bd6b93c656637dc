package com.joyent.mockcloud.smf;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.sandbox.SandboxOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zone setup method (smf/method/mockcloud-setup) with a fake mdata-get on PATH, against
 * the sandbox NAPI, run with the built jar: it makes N servers, a rerun after a reprovision
 * keeps them all (same CNs, no new NAPI NICs), and the setup marker makes it a no-op.
 */
class SetupMethodIT {
  @TempDir Path tmp;
  private Sandbox sandbox;
  private Path mdata;
  private Path bin;

  @BeforeEach
  void setUp() throws IOException {
    sandbox = Sandbox.start(SandboxOptions.defaults().withDatacenter("coal"));
    mdata = Files.createDirectories(tmp.resolve("mdata"));
    bin = Files.createDirectories(tmp.resolve("bin"));
    // mdata-get/mdata-put as on SmartOS: value on stdout and exit 0, or exit 1 when not set.
    script("mdata-get", "#!/bin/bash\n[[ -f \"" + mdata + "/$1\" ]] || exit 1\ncat \"" + mdata + "/$1\"\n");
    script("mdata-put", "#!/bin/bash\nprintf '%s' \"$2\" > \"" + mdata + "/$1\"\n");
    put("sdc:datacenter_name", "coal");
    put("dnsDomain", "joyent.us");
    put("ufdsAdmin", sandbox.adminUuid());
    put("mockcloudRoot", tmp.resolve("data/mockcloud").toString());
    put("mockcloudNumServers", "3");
  }

  @AfterEach
  void tearDown() {
    sandbox.close();
  }

  private void script(String name, String body) throws IOException {
    Path p = bin.resolve(name);
    Files.writeString(p, body);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private void put(String key, String value) throws IOException {
    Files.writeString(mdata.resolve(key), value);
  }

  private record Run(int exit, String output) {}

  private Run runSetup() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", Path.of("smf/method/mockcloud-setup").toAbsolutePath().toString())
        .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("PATH", bin + ":" + System.getenv("PATH"));
    env.put("MOCKCLOUD_JAR", System.getProperty("mockcloud.jar", "target/mockcloud.jar"));
    env.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    env.put("MOCKCLOUD_SETUP_MARKER", tmp.resolve("var/svc/setup_complete").toString());
    // Metadata implies http://napi.coal.joyent.us; the usual setting points it at the sandbox.
    env.put("MOCKCLOUD_NAPI_URL", sandbox.napiUrl());
    env.put("MOCKCLOUD_CNAPI_URL", sandbox.cnapiUrl());
    env.put("MOCKCLOUD_VMAPI_URL", sandbox.vmapiUrl());
    env.remove("MOCKCLOUD_ROOT");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  private List<String> servers() throws IOException {
    try (var s = Files.list(tmp.resolve("data/mockcloud/servers"))) {
      return s.map(x -> x.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void setupTwice_makesNServers_andAReprovisionKeepsEveryOne() throws Exception {
    Run first = runSetup();
    assertThat(first.exit()).as(first.output()).isZero();
    List<String> after1 = servers();
    assertThat(after1).hasSize(3);
    assertThat(sandbox.napi().nics().size()).isEqualTo(3);
    assertThat(tmp.resolve("var/svc/setup_complete")).exists();

    // The marker makes a rerun a no-op.
    Run guarded = runSetup();
    assertThat(guarded.exit()).isZero();
    assertThat(guarded.output()).contains("setup already done");

    // A reprovisioned zone has a new root filesystem (no marker) but the same /data.
    Files.delete(tmp.resolve("var/svc/setup_complete"));
    Run second = runSetup();
    assertThat(second.exit()).as(second.output()).isZero();
    assertThat(second.output()).contains("Already have 3 mock servers");
    assertThat(servers()).isEqualTo(after1);
    assertThat(sandbox.napi().nics().size()).isEqualTo(3);
  }

  @Test
  void rootNotInMetadata_defaultsAndIsSaved_missingDnsDomainIsFatal() throws Exception {
    Files.delete(mdata.resolve("dnsDomain"));
    Run r = runSetup();
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.output()).contains("FATAL: must have both DC name and DNS domain");
    assertThat(tmp.resolve("data/mockcloud/servers")).doesNotExist();
  }
}
