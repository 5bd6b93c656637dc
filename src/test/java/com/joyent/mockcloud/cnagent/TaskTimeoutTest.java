package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec cn-agent.md §2.6.5: a task running past the task timeout answers 500 with the reference text. */
class TaskTimeoutTest {
  @TempDir Path tmp;

  @Test
  void nop_sleepingPastTheTaskTimeout_answersTimedOut() throws Exception {
    CnAgentOptions options = CnAgentOptions.defaults().withTmpDir(tmp.resolve("vartmp"))
        .withTaskTimeout(Duration.ofMillis(300));
    try (CnAgentHarness cn = new CnAgentHarness(tmp, new RecordingCnapi(), options).awaitRegistered()) {
      long start = System.currentTimeMillis();

      CnAgentHarness.Answer a = cn.call("nop", Map.of("sleep", 1));

      assertThat(System.currentTimeMillis() - start).isLessThan(950);
      assertThat(a.status()).isEqualTo(500);
      assertThat(a.body()).matches("^\\{\"error\":\"child task process timed out after \\d+(\\.\\d+)? seconds\"\\}$");
      List<Map<String, Object>> h = cn.history();
      assertThat(h).hasSize(1);
      // The reference leaves the entry "active"; marking it "failed" is allowed (§2.6.5, §9).
      assertThat(h.get(0).get("status")).isIn("active", "failed");
      // Let the abandoned sleep end before the CN is closed.
      Thread.sleep(Math.max(0, start + 1_200 - System.currentTimeMillis()));
    }
  }
}
