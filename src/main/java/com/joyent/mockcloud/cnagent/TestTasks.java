package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** The smartos backend's two test tasks, {@code sleep} and {@code test_subtask}. */
final class TestTasks {
  /** Node's setTimeout turns a delay outside 1 ms … 2^31-1 ms (or not a number) into 1 ms. */
  private static final double MAX_DELAY_MS = 2147483647;

  private TestTasks() {}

  /**
   * {@code sleep}: finishes {@code {}} after {@code params.timeout} milliseconds (5000 when
   * falsy), waiting on the scheduler without holding a thread. The task timeout still applies.
   */
  static CompletionStage<?> sleep(TaskContext ctx) {
    Object t = ctx.params().get("timeout");
    double ms = JsValues.truthy(t) ? ServerTasks.jsNumber(t) : 5000;
    long delay = ms >= 1 && ms <= MAX_DELAY_MS ? (long) ms : 1;
    CompletableFuture<Void> done = new CompletableFuture<>();
    ctx.cn().timer().schedule(() -> {
      try {
        ctx.finish();
      } finally {
        done.complete(null);
      }
    }, delay, TimeUnit.MILLISECONDS);
    return done;
  }

  /**
   * {@code test_subtask}: asks its runner for a {@code nop} subtask of {@code provisioner-v2}
   * (with {@code sleep} and a random number) and finishes when that answers. No cn-agent answers
   * subtasks — the real runner only records the request — so on a real CN, as here, the task
   * waits until the task timeout ends it (500 {@code child task process timed out after …}).
   * The request is written to the task log; it is not shown in {@code GET /history}.
   */
  static CompletionStage<?> testSubtask(TaskContext ctx) {
    Map<String, Object> p = ctx.params();
    int random = ThreadLocalRandom.current().nextInt(1000);
    ctx.log("test_subtask: subtask nop for provisioner-v2 requested {\"random\":" + random + ",\"sleep\":"
        + Json.compact(p.get("sleep")) + "}; nothing answers subtasks");
    return new CompletableFuture<Void>();
  }
}
