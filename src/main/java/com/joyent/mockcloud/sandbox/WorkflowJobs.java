package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The sandbox's workflow API: the jobs of VMAPI and CNAPI, kept in memory and answered as
 * VMAPI answers them (translateJob: {@code name, uuid, execution, params, exec_after,
 * created_at, timeout, chain_results}). CNAPI's jobs are read at VMAPI's {@code /jobs}, as a
 * Triton client reads them from the workflow API.
 *
 * <p>Thread contract: this object's lock guards the jobs; each {@link Job} guards itself.
 * Readers get deep copies.
 */
final class WorkflowJobs {
  static final Set<String> EXECUTIONS = Set.of("queued", "running", "succeeded", "failed", "canceled");
  private static final int MAX_LISTED = 1000;

  private final Clock clock;
  private final Map<String, Job> jobs = new LinkedHashMap<>();

  WorkflowJobs(Clock clock) {
    this.clock = clock;
  }

  /** One job: its record, and a stage that completes when it has ended. */
  final class Job {
    final String uuid = UUID.randomUUID().toString();
    final String vmUuid;
    private final Map<String, Object> record = new LinkedHashMap<>();
    private final List<Object> chainResults = new ArrayList<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private long stepStarted;

    private Job(String name, String vmUuid, Map<String, Object> params, int timeoutSeconds) {
      this.vmUuid = vmUuid;
      String now = JsValues.isoString(clock.millis());
      record.put("name", name);
      record.put("uuid", uuid);
      record.put("execution", "queued");
      record.put("params", Json.deepCopy(params));
      record.put("exec_after", now);
      record.put("created_at", now);
      record.put("timeout", timeoutSeconds);
      record.put("chain_results", chainResults);
    }

    synchronized void running() {
      record.put("execution", "running");
      stepStarted = clock.millis();
    }

    /** A task of the chain that ended well, with its result text. */
    synchronized void stepDone(String name, String result) {
      chainResults.add(result(name, result, ""));
      stepStarted = clock.millis();
    }

    /** The chain's failing task (the last entry) and the job failed. */
    void stepFailed(String name, Object error) {
      synchronized (this) {
        chainResults.add(result(name, "", error));
        record.put("execution", "failed");
      }
      ended.complete(null);
    }

    void succeeded() {
      synchronized (this) {
        record.put("execution", "succeeded");
      }
      ended.complete(null);
    }

    private Map<String, Object> result(String name, String result, Object error) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("result", result);
      r.put("error", error);
      r.put("name", name);
      r.put("started_at", JsValues.isoString(stepStarted));
      r.put("finished_at", JsValues.isoString(clock.millis()));
      return r;
    }

    synchronized Map<String, Object> snapshot() {
      return Json.deepCopy(record);
    }

    synchronized String execution() {
      return (String) record.get("execution");
    }

    /** The failing task's name and error, as VMAPI's /wait words a failed job. */
    @SuppressWarnings("unchecked")
    synchronized String failure() {
      if (chainResults.isEmpty()) {
        return "job " + record.get("name") + " (" + uuid + ") failed";
      }
      Map<String, Object> last = (Map<String, Object>) chainResults.get(chainResults.size() - 1);
      Object error = last.get("error");
      String text = error instanceof Map<?, ?> m && m.get("message") != null ? String.valueOf(m.get("message"))
          : String.valueOf(error);
      return "job " + record.get("name") + " (" + uuid + ") failed: " + last.get("name") + ": " + text;
    }

    CompletionStage<Void> ended() {
      return ended.copy();
    }
  }

  synchronized Job create(String name, String vmUuid, Map<String, Object> params, int timeoutSeconds) {
    Job j = new Job(name, vmUuid, params, timeoutSeconds);
    jobs.put(j.uuid, j);
    return j;
  }

  /** The job; 404 as the workflow API words it. */
  synchronized Job require(String uuid) {
    Job j = jobs.get(uuid);
    if (j == null) {
      throw RestError.resourceNotFound("Job with uuid '" + uuid + "' does not exist");
    }
    return j;
  }

  /** Jobs newest first (at most 1000), filtered by the three keys VMAPI passes on; null = any. */
  List<Map<String, Object>> list(String vmUuid, String task, String execution) {
    List<Job> all;
    synchronized (this) {
      all = new ArrayList<>(jobs.values());
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = all.size() - 1; i >= 0 && out.size() < MAX_LISTED; i--) {
      Map<String, Object> r = all.get(i).snapshot();
      @SuppressWarnings("unchecked")
      Map<String, Object> params = (Map<String, Object>) r.get("params");
      if ((vmUuid == null || vmUuid.equals(params.get("vm_uuid"))) && (task == null || task.equals(params.get("task")))
          && (execution == null || execution.equals(r.get("execution")))) {
        out.add(r);
      }
    }
    return out;
  }
}
