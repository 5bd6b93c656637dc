package com.joyent.mockcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code snapshot save|restore} as a user runs them: what they print, exit with and leave behind. */
class SnapshotCommandTest {
  private static final String CN = "564d0a1e-8b1a-4c7e-9a39-2a1f0c2b9d01";
  private static final String VM = "0b6a1e52-7d3e-4f0a-8a8b-1c2d3e4f5a6b";
  @TempDir Path tmp;

  @Test
  void saveThenRestore_bringsTheRootBack() throws Exception {
    Path root = tmp.resolve("root");
    Path cn = root.resolve("servers").resolve(CN);
    Files.createDirectories(cn.resolve("vms"));
    Files.writeString(cn.resolve("sysinfo.json"), "{\"UUID\":\"" + CN + "\"}");
    Files.writeString(cn.resolve("vms").resolve(VM + ".json"), "{\"uuid\":\"" + VM + "\",\"state\":\"running\"}");
    Path file = tmp.resolve("fleet.snap.gz");

    CliRunner.Result saved = CliRunner.run("snapshot", "save", "--root", root.toString(), "--out", file.toString());
    assertThat(saved.exit()).as(saved.err()).isZero();
    assertThat(saved.out()).contains("saved 1 mock CNs (2 files) to " + file);

    Files.writeString(cn.resolve("vms").resolve(VM + ".json"), "{\"uuid\":\"" + VM + "\",\"state\":\"stopped\"}");
    Files.createDirectories(root.resolve("servers").resolve("7b3e7f30-8c9d-4e0f-9a11-3c4d5e6f7081"));
    CliRunner.Result restored = CliRunner.run("snapshot", "restore", file.toString(), "--root", root.toString());
    assertThat(restored.exit()).as(restored.err()).isZero();
    assertThat(restored.out()).contains("restored 1 mock CNs from " + file, "1 CNs removed");
    assertThat(Files.readString(cn.resolve("vms").resolve(VM + ".json"))).contains("\"running\"");
    assertThat(Files.list(root.resolve("servers")).map(p -> p.getFileName().toString())).containsExactly(CN);
  }

  @Test
  void restoreOfAFileThatIsNotASnapshot_failsClearlyAndChangesNothing() throws Exception {
    Path root = tmp.resolve("root");
    Files.createDirectories(root.resolve("servers").resolve(CN));
    Path bad = tmp.resolve("bad.gz");
    Files.writeString(bad, "not gzip");
    CliRunner.Result r = CliRunner.run("snapshot", "restore", bad.toString(), "--root", root.toString());
    assertThat(r.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err()).contains("restore: " + bad + ": not a snapshot (not gzip-compressed)")
        .doesNotContain("\tat ");
    assertThat(Files.isDirectory(root.resolve("servers").resolve(CN))).isTrue();
  }

  @Test
  void saveOfADirectoryThatIsNotARoot_failsAndWritesNoFile() {
    Path file = tmp.resolve("fleet.snap.gz");
    CliRunner.Result r = CliRunner.run("snapshot", "save", "--root", tmp.resolve("nowhere").toString(),
        "--out", file.toString());
    assertThat(r.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err()).contains("no servers directory", "a mockcloud root?");
    assertThat(Files.exists(file)).isFalse();
  }

  @Test
  void withoutASubcommand_isAUsageError() {
    CliRunner.Result r = CliRunner.run("snapshot");
    assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err()).contains("name a subcommand: save or restore");
  }
}
