package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.testing.ManualTimer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec cn-agent.md §2.6.5: a task running past the task timeout answers 500 with the reference text. */
class TaskTimeoutTest {
  @TempDir Path tmp;

  @Test
  void nop_sleepingPastTheTaskTimeout_answersTimedOut() throws Exception {
    // No other timer due within the task's second: its timeout and its sleep are the only ones.
    CnAgentOptions options = CnAgentOptions.defaults().toBuilder().tmpDir(tmp.resolve("vartmp"))
        .taskTimeout(Duration.ofMillis(300)).firstStatusDelay(Duration.ofHours(1))
        .sysinfoPollInterval(Duration.ofHours(1)).build();
    ManualTimer time = new ManualTimer();
    try (CnAgentHarness cn = CnAgentHarness.onManualTime(tmp, new RecordingCnapi(), options, time).awaitRegistered()) {
      CompletableFuture<CnAgentHarness.Answer> answer = CompletableFuture.supplyAsync(() -> {
        try {
          return cn.call("nop", Map.of("sleep", 1));
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      Await.require(Duration.ofSeconds(5), () -> time.dueIn().containsAll(List.of(Duration.ofMillis(300),
          Duration.ofSeconds(1))), "the task's timeout and its sleep");
      time.advance(Duration.ofMillis(299));
      assertThat(answer).isNotDone();
      time.advance(Duration.ofMillis(1));

      CnAgentHarness.Answer a = answer.get(5, TimeUnit.SECONDS);
      assertThat(a.status()).isEqualTo(500);
      assertThat(a.body()).matches("^\\{\"error\":\"child task process timed out after \\d+(\\.\\d+)? seconds\"\\}$");
      List<Map<String, Object>> h = cn.history();
      assertThat(h).hasSize(1);
      // The reference leaves the entry "active"; marking it "failed" is allowed (§2.6.5, §9).
      assertThat(h.get(0).get("status")).isIn("active", "failed");
      // Let the abandoned sleep end before the CN is closed.
      time.advance(Duration.ofMillis(700));
    }
  }
}
