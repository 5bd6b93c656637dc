package com.joyent.mockcloud.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench's --changefeed and --oversized-bodies options, and reading run-servers' changefeed mode from its log. */
class BenchOptionsTest {
  private static BenchOptions options(String changefeed, int oversized, int mb) {
    return new BenchOptions(50, 2, 10, 5, "1g", 0, null, null, null, null, Path.of("x.json"), true, 0, changefeed,
        oversized, mb, null, null, false);
  }

  @Test
  void changefeedModes() {
    for (String m : List.of("per-cn", "shared", "auto", "off", "PER_CN")) {
      options(m, 0, 24).validate();
    }
    options(null, 0, 24).validate();
    assertThatThrownBy(() -> options("sometimes", 0, 24).validate()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--changefeed: ").hasMessageContaining("per-cn, shared, auto or off");
  }

  @Test
  void oversizedBodies_oneCnEach_andOverTheLimit() {
    options(null, 4, 8).validate();
    options(null, 50, 24).validate();
    assertThatThrownBy(() -> options(null, 51, 24).validate()).hasMessageContaining("--oversized-bodies must be 0 (off) to 50");
    assertThatThrownBy(() -> options(null, -1, 24).validate()).hasMessageContaining("--oversized-bodies");
    assertThatThrownBy(() -> options(null, 4, 4).validate()).hasMessageContaining("over cn-agent's 4 MiB body limit");
    assertThatThrownBy(() -> options(null, 4, 2048).validate()).hasMessageContaining("at most 1024");
  }

  @Test
  void runServersChangefeedMode_fromItsLog(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("run-servers.log");
    Files.writeString(log, "run-servers: serving 3 mock CN(s)\n"
        + "{\"name\":\"mockcloud\",\"hostname\":\"h\",\"pid\":1,\"component\":\"Fleet\",\"level\":30,"
        + "\"msg\":\"net-agent changefeed: shared (auto: a WebSocket for each of the 3 CNs would need about 9 open files,"
        + " and this process may open 8): one WebSocket to NAPI for every CN\",\"time\":\"2026-12-04T00:00:00.000Z\",\"v\":0}\n");
    String[] used = Bench.changefeedUsed(log);
    assertThat(used[0]).isEqualTo("shared");
    assertThat(used[1]).startsWith("net-agent changefeed: shared (auto: ");

    Files.writeString(log, "{\"level\":30,\"msg\":\"net-agent changefeed: per-cn (auto; a WebSocket per CN)\"}\n");
    assertThat(Bench.changefeedUsed(log)[0]).isEqualTo("per-cn");
    Files.writeString(log, "run-servers: serving 3 mock CN(s)\n");
    assertThat(Bench.changefeedUsed(log)).isNull();
    assertThat(Bench.changefeedUsed(dir.resolve("absent.log"))).isNull();
  }
}
