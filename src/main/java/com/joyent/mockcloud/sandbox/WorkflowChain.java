package com.joyent.mockcloud.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A workflow's chain of tasks run one after the other on completion stages (no thread waits):
 * each task's result text, or the error that ends the job, goes to the job's
 * {@code chain_results} as node-workflow records them. A task that has nothing to do answers
 * the text the real task gives in that case.
 */
final class WorkflowChain {
  /** Ends the job with {@code error} (a string, or an {@code {name, message}} object) as the task's error. */
  static final class TaskError extends RuntimeException {
    final transient Object error;

    TaskError(Object error) {
      super(String.valueOf(error));
      this.error = error;
    }
  }

  /** Ends the chain early and the job well (e.g. an idempotent start of a running VM). */
  static final class Done extends RuntimeException {
    final String result;

    Done(String result) {
      super(result, null, false, false);
      this.result = result;
    }
  }

  private record Task(String name, Supplier<CompletionStage<String>> run) {}

  private final List<Task> tasks = new ArrayList<>();
  private Runnable onError = () -> { };

  WorkflowChain task(String name, Supplier<CompletionStage<String>> run) {
    tasks.add(new Task(name, run));
    return this;
  }

  /** A task that does its work at once and answers its result text. */
  WorkflowChain now(String name, Supplier<String> run) {
    return task(name, () -> CompletableFuture.completedFuture(run.get()));
  }

  /** What to do when a task fails (the workflow's onerror chain, unrecorded as VMAPI hides it). */
  WorkflowChain onError(Runnable r) {
    onError = r;
    return this;
  }

  /** Runs the chain for {@code job}; the job records every step and ends succeeded or failed. */
  void run(WorkflowJobs.Job job) {
    job.running();
    step(job, 0);
  }

  private void step(WorkflowJobs.Job job, int i) {
    if (i == tasks.size()) {
      job.succeeded();
      return;
    }
    Task t = tasks.get(i);
    CompletionStage<String> stage;
    try {
      stage = t.run().get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((result, failure) -> {
      Throwable f = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (f instanceof Done d) {
        job.stepDone(t.name(), d.result);
        job.succeeded();
      } else if (f != null) {
        try {
          onError.run();
        } finally {
          job.stepFailed(t.name(), f instanceof TaskError te ? te.error : String.valueOf(f.getMessage()));
        }
      } else {
        job.stepDone(t.name(), result);
        step(job, i + 1);
      }
    });
  }
}
