package com.joyent.mockcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CN whose sysinfo.json is cut short: the CLI names the file and says what JSON.parse says
 * of it (as the Node tools would), not Jackson's text with its "[Source: …]" and Java types.
 */
class CorruptJsonMessageTest {
  @TempDir Path tmp;

  @Test
  void listServers_truncatedSysinfo_isReportedInJsonParsesWords() throws Exception {
    Path root = tmp.resolve("mc");
    Path sysinfo = root.resolve("servers").resolve(UUID.randomUUID().toString()).resolve("sysinfo.json");
    Files.createDirectories(sysinfo.getParent());
    Files.writeString(sysinfo, "{\n    \"UUID\": \"x\",\n    \"Hostname\": ");

    CliRunner.Result r = CliRunner.run("list-servers", "--root", root.toString());

    assertThat(r.err()).contains(sysinfo + " is not a JSON object: Unexpected end of JSON input")
        .doesNotContain("Source", "end-of-input", "line:", "column:");
  }
}
