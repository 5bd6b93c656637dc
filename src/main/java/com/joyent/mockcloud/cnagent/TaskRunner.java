package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.behaviour.CnBehaviour.TaskPlan;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one CN's tasks with the observable effects of the reference's child-process model
 * (spec cn-agent.md §2.6): a history entry, a per-task log file named after a synthetic
 * pid, the answer from the task's last error or its finish payload, a crash answer for a
 * task that throws, a timeout. Every task starts at once on the shared task pool (spec §2.6.6:
 * no queueing); changes to one VM are kept in order by the VM store's per-VM lock.
 */
final class TaskRunner {
  private static final Logger LOG = LoggerFactory.getLogger(TaskRunner.class);
  /** Synthetic "worker pid": unique per task in this process, shared by log file and history. */
  private static final AtomicInteger PIDS = new AtomicInteger(10_000);

  private final CnAgent agent;
  private final CnContext cn;
  private final Executor executor;
  private final TaskHistory history;
  private final TaskLogRetention logRetention;

  TaskRunner(CnAgent agent, Executor executor, TaskHistory history, TaskLogRetention logRetention) {
    this.agent = agent;
    this.cn = agent.context();
    this.executor = executor;
    this.history = history;
    this.logRetention = logRetention;
  }

  /**
   * Dispatches a task. {@code body} null means the task is listed but has no implementation
   * (machine_kill): it crashes before emitting anything.
   */
  CompletableFuture<RestResponse> run(String taskName, Task body, String requestId, Object params) {
    Instant started = cn.clock().instant();
    int pid = PIDS.incrementAndGet();
    HistoryEntry entry = new HistoryEntry(started, taskName, pid, Json.deepCopy(params));
    history.add(entry);
    TaskContext ctx = new TaskContext(agent, taskName, requestId, Json.deepCopy(params), entry, cn.clock());
    CompletableFuture<RestResponse> answer = new CompletableFuture<>();

    Future<?> timeout = cn.timer().schedule(() -> {
      double secs = (cn.clock().millis() - started.toEpochMilli()) / 1000.0;
      end(ctx, entry, "failed", started, pid, answer,
          errorAnswer("child task process timed out after " + Json.compact(secs) + " seconds"), null);
    }, cn.options().taskTimeout().toMillis(), TimeUnit.MILLISECONDS);

    // A task with no implementation crashes before it emits anything, whatever the behaviour.
    TaskPlan plan = body == null ? TaskPlan.AT_ONCE : cn.behaviour().planTask(taskName);
    CompletableFuture<?> work;
    if (plan.atOnce()) {
      work = CompletableFuture.supplyAsync(() -> {
        if (body == null) {
          throw new TaskCrash("task " + taskName + " has no implementation on mock CNs");
        }
        ctx.begin();
        return work(ctx, body);
      }, executor).thenCompose(stage -> stage);
    } else {
      ctx.begin(); // the history shows it active, as a real one, while it takes its time
      work = planned(ctx, body, plan);
    }
    work.whenComplete((v, failure) -> {
      timeout.cancel(false);
      Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (t != null && !ctx.isFinished()) {
        // The caller only sees the reference's generic answer; the reason is for the operator.
        String reason = t instanceof TaskCrash ? t.getMessage() : t.toString();
        LOG.error("task {} (pid {}) of server {} crashed: {}", taskName, pid, cn.serverUuid(), reason);
        end(ctx, entry, "failed", started, pid, answer,
            errorAnswer("Child task process " + taskName + " did not terminate cleanly. (1)"), reason);
        return;
      }
      if (!ctx.isFinished()) {
        ctx.finish(); // a body that returned without finishing finished with {}
      }
      Map<String, Object> err = ctx.lastError();
      RestResponse resp = err != null ? RestResponse.of(500, err) : RestResponse.ok(ctx.finishPayload());
      end(ctx, entry, "finished", started, pid, answer, resp, null);
    });
    return answer;
  }

  /** The task's own work, on the calling (task) thread. */
  private static CompletableFuture<?> work(TaskContext ctx, Task body) {
    try {
      return body.run(ctx).toCompletableFuture();
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }

  /**
   * A task with a behaviour (docs/behaviour.md): it waits its latency on the CN's timer, then
   * holds while it hangs (planning again when the behaviour changes), then fails in the task's
   * own words or does its work on the task pool.
   */
  private CompletableFuture<Void> planned(TaskContext ctx, Task body, TaskPlan plan) {
    CompletableFuture<Void> waited = new CompletableFuture<>();
    if (plan.latencyMs() == 0) {
      waited.complete(null);
    } else {
      cn.timer().schedule(() -> waited.complete(null), plan.latencyMs(), TimeUnit.MILLISECONDS);
    }
    return waited.thenCompose(v -> {
      if (plan.hang()) {
        CompletableFuture<Void> released = cn.behaviour().untilChanged();
        agent.completeDrainIfIdle(); // a held task does not keep a closing daemon waiting
        return released.thenCompose(again -> planned(ctx, body, cn.behaviour().planTask(ctx.task())));
      }
      return CompletableFuture.supplyAsync(() -> {
        if (plan.fail()) {
          ctx.fatal(InjectedFailure.message(ctx.task(), plan.error()));
          return CompletableFuture.completedFuture(null);
        }
        return work(ctx, body);
      }, executor).thenCompose(stage -> stage).thenApply(done -> (Void) null);
    });
  }

  private static RestResponse errorAnswer(String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    return RestResponse.of(500, body);
  }

  /** @param crash why the task crashed (logged at error level in its log file), or null */
  private void end(TaskContext ctx, HistoryEntry entry, String status, Instant started, int pid,
      CompletableFuture<RestResponse> answer, RestResponse resp, String crash) {
    synchronized (answer) {
      if (answer.isDone()) {
        return; // a timeout and a late end race; the first wins
      }
      Instant ended = cn.clock().instant();
      entry.end(status, ended);
      writeLog(ctx, started, pid, status, crash);
      cn.reporting().metrics().taskEnded(ctx.task(), "failed".equals(status) || resp.status() >= 400 ? "failed"
          : "finished", (ended.toEpochMilli() - started.toEpochMilli()) / 1000.0);
      answer.complete(resp);
    }
  }

  /**
   * {@code logs/cn-agent/<epoch_ms>-<pid>-<task>.log}, bunyan lines at debug level; a crash's
   * reason at error level, in the words the reference's worker uses for it.
   */
  private void writeLog(TaskContext ctx, Instant started, int pid, String status, String crash) {
    Path dir = cn.dir().logsDir().resolve("cn-agent");
    Path file = dir.resolve(started.toEpochMilli() + "-" + pid + "-" + ctx.task() + ".log");
    StringBuilder sb = new StringBuilder();
    for (String line : ctx.logLines()) {
      sb.append(TaskLogLine.render(ctx.task(), pid, cn, line)).append('\n');
    }
    if (crash != null) {
      sb.append(TaskLogLine.render(ctx.task(), pid, cn, TaskLogLine.ERROR,
          "Uncaught exception in task child process: " + crash)).append('\n');
    }
    sb.append(TaskLogLine.render(ctx.task(), pid, cn, "task " + status)).append('\n');
    try {
      Files.createDirectories(dir);
      Files.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
      logRetention.written();
    } catch (IOException e) {
      LOG.warn("cannot write task log {}: {}", file, e.getMessage());
    }
  }
}
