package com.joyent.mockcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code sandbox} as a newcomer runs it: what it prints, and the temporary root it leaves (or not). */
class SandboxCommandTest {
  private static final Pattern ROOT = Pattern.compile("the root (\\S+) is (?:removed|kept) on exit");

  @Test
  void temporaryRoot_isRemovedOnExit_andTheHintNeedsNoNpmTool() {
    CliRunner.Result r = CliRunner.run("sandbox", "--servers", "1", "--duration", "2");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("mock CNs: 1 in ", "curl -s http://127.0.0.1:").doesNotContain("| json ");
    Path root = rootIn(r.out());
    assertThat(root).doesNotExist();
  }

  @Test
  void keepRoot_keepsItAndSaysWhere() throws Exception {
    CliRunner.Result r = CliRunner.run("sandbox", "--servers", "1", "--duration", "2", "--keep-root");
    assertThat(r.exit()).as(r.err()).isZero();
    Path root = rootIn(r.out());
    try {
      assertThat(r.out()).contains("kept " + root);
      assertThat(root.resolve("servers")).isDirectory();
      try (var dirs = Files.list(root.resolve("servers"))) {
        assertThat(dirs.count()).isEqualTo(1);
      }
    } finally {
      com.joyent.mockcloud.io.FileTrees.deleteTree(root);
    }
  }

  private static Path rootIn(String out) {
    Matcher m = ROOT.matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return Path.of(m.group(1));
  }
}
