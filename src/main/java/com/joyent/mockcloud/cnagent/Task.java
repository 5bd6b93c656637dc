package com.joyent.mockcloud.cnagent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One cn-agent task body. It reports through its {@link TaskContext} (progress, error,
 * finish, fatal). Throwing — or calling {@link TaskContext#crash} — is what an assertion
 * failure in the reference's child process was: the runner answers with the "did not
 * terminate cleanly" error. A body that waits (a sleep, a lock file) returns an incomplete
 * stage instead of blocking a task thread.
 */
@FunctionalInterface
public interface Task {
  CompletionStage<?> run(TaskContext ctx) throws Exception;

  /** Adapts a body that runs to completion on the task thread. */
  static Task sync(SyncTask body) {
    return ctx -> {
      body.run(ctx);
      return CompletableFuture.completedFuture(null);
    };
  }

  @FunctionalInterface
  interface SyncTask {
    void run(TaskContext ctx) throws Exception;
  }
}
