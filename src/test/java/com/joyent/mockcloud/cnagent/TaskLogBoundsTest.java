package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A running cn-agent keeps its {@code logs/cn-agent} within the task-log settings. */
class TaskLogBoundsTest {
  @TempDir Path tmp;
  private CnAgentHarness cn;

  @AfterEach
  void tearDown() {
    if (cn != null) {
      cn.close();
    }
  }

  private CnAgentHarness start(Setting setting, String value) throws Exception {
    cn = new CnAgentHarness(tmp, new RecordingCnapi(), CnAgentOptions.defaults().withTmpDir(tmp.resolve("vartmp")),
        Map.of(setting, value), true);
    return cn.awaitRegistered();
  }

  private List<Path> taskLogs() throws Exception {
    try (Stream<Path> s = Files.list(cn.dir.logsDir().resolve("cn-agent"))) {
      return s.toList();
    }
  }

  private static int pidOf(Path log) {
    return Integer.parseInt(log.getFileName().toString().split("-")[1]);
  }

  @Test
  void maxFiles_manyTasks_keepsOnlyTheNewestLogs() throws Exception {
    start(Setting.TASK_LOG_MAX_FILES, "4");
    for (int i = 0; i < 10; i++) {
      assertThat(cn.task("nop", Map.of()).statusCode()).isEqualTo(200);
    }
    List<Integer> pids = cn.history().stream().map(e -> ((Number) e.get("pid")).intValue())
        .sorted(Comparator.reverseOrder()).toList();

    // Prunes run on the task pool after the answer: wait for the last one.
    assertThat(Await.until(Duration.ofSeconds(5), () -> {
      try {
        return taskLogs().size() <= 4;
      } catch (Exception e) {
        return false;
      }
    })).as("at most 4 task logs").isTrue();
    List<Integer> kept = taskLogs().stream().map(TaskLogBoundsTest::pidOf).sorted(Comparator.reverseOrder()).toList();
    assertThat(kept).isNotEmpty().isEqualTo(pids.subList(0, kept.size())); // the newest, none skipped
  }

  @Test
  void maxAge_idleCn_removesItsLogOnceExpired() throws Exception {
    start(Setting.TASK_LOG_MAX_AGE, "1s");
    assertThat(cn.task("nop", Map.of()).statusCode()).isEqualTo(200);
    assertThat(taskLogs()).hasSize(1);

    // No further task: the CN's age job removes it about a second after dispatch.
    assertThat(Await.until(Duration.ofSeconds(5), () -> {
      try {
        return taskLogs().isEmpty();
      } catch (Exception e) {
        return false;
      }
    })).as("the expired task log is removed").isTrue();
  }
}
