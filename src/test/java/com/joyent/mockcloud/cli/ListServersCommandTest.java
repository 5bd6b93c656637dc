package com.joyent.mockcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.Sysinfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code list-servers} over a root where some CNs' files cannot be read. */
class ListServersCommandTest {
  @TempDir Path tmp;

  private Path root() {
    return tmp.resolve("mc");
  }

  /** A server directory as create-server leaves it (no APIs involved). */
  private ServerDirectory server(String hostname, String adminIp) throws Exception {
    UUID uuid = UUID.randomUUID();
    ServerDirectory d = new ServerDirectory(uuid, root().resolve("servers").resolve(uuid.toString()));
    Files.createDirectories(d.vmsDir());
    d.writeSysinfo(Sysinfo.build(new Sysinfo.Identity(uuid, hostname, "coal", adminIp, "00:10:fe:00:00:01",
        "00:10:fe:00:00:02", "20190718T003512Z", Instant.now(), HardwareProfile.STANDARD), new Random(1)), 4);
    return d;
  }

  @Test
  void corruptSysinfo_listsTheOthersWarnsOncePerBadCnAndExitsZero() throws Exception {
    ServerDirectory good1 = server("VC0001", "10.99.99.41");
    ServerDirectory good2 = server("VC0002", "10.99.99.42");
    Files.writeString(good2.vmsDir().resolve("11111111-1111-4111-8111-111111111111.json"), "{}");
    ServerDirectory truncated = server("VC0003", "10.99.99.43");
    Files.writeString(truncated.sysinfoFile(), "{\n    \"UUID\": \"" + truncated.uuid() + "\",\n");
    ServerDirectory notAnObject = server("VC0004", "10.99.99.44");
    Files.writeString(notAnObject.sysinfoFile(), "[]\n");

    CliRunner.Result r = CliRunner.run("list-servers", "--json", "--root", root().toString());

    assertThat(r.exit()).as(r.err()).isZero();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = (List<Map<String, Object>>) Json.parse(r.out().getBytes());
    assertThat(rows).extracting(row -> row.get("uuid"))
        .containsExactlyInAnyOrder(good1.uuid().toString(), good2.uuid().toString());
    assertThat(rows).filteredOn(row -> row.get("uuid").equals(good2.uuid().toString())).singleElement()
        .satisfies(row -> assertThat(row).containsEntry("hostname", "VC0002").containsEntry("admin_ip", "10.99.99.42")
            .containsEntry("vms", 1));

    List<String> warnings = r.err().lines().toList();
    assertThat(warnings).hasSize(2);
    assertThat(warnings).anySatisfy(w -> assertNamesFileAndReason(w, truncated));
    assertThat(warnings).anySatisfy(w -> assertNamesFileAndReason(w, notAnObject));
  }

  /** One line: which server, its sysinfo.json, and after the file name a reason. */
  private static void assertNamesFileAndReason(String warning, ServerDirectory d) {
    String file = d.sysinfoFile().toString();
    assertThat(warning).startsWith("list-servers: skipping server " + d.uuid() + ": ").contains(file);
    assertThat(warning.substring(warning.indexOf(file) + file.length())).matches("^[ :]+\\S.*");
  }

  @Test
  void corruptSysinfo_tableListsTheReadableCns() throws Exception {
    ServerDirectory good = server("VC0001", "10.99.99.41");
    ServerDirectory bad = server("VC0002", "10.99.99.42");
    Files.writeString(bad.sysinfoFile(), "{ \"UUID\": ");

    CliRunner.Result r = CliRunner.run("list-servers", "--root", root().toString());

    assertThat(r.exit()).isZero();
    assertThat(r.out().lines().toList()).hasSize(2)
        .last().asString().startsWith(good.uuid().toString()).contains("VC0001", "10.99.99.41");
    assertThat(r.out()).doesNotContain(bad.uuid().toString());
    assertThat(r.err().lines().toList()).singleElement().asString()
        .contains(bad.uuid().toString(), bad.sysinfoFile().toString());
  }

  @Test
  void help_documentsTheExitStatus() {
    CliRunner.Result r = CliRunner.run("list-servers", "--help");

    assertThat(r.out()).contains("Exit status:", "0   the list was printed", "standard error");
  }
}
