package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * CNAPI task records ({@code cnapi_tasks}, triton-apis.md §2.3) and the in-process waiters of
 * {@code GET /tasks/:id/wait}. A record is {@code active} when created and becomes
 * {@code complete} or {@code failure} once, when cn-agent's reply to {@code POST /tasks}
 * arrives.
 *
 * <p>Thread contract: the map is concurrent; each task's record is guarded by the task
 * object's lock. Waiters are futures, so nothing blocks: a wait completes on the thread that
 * finishes the task, or on the JDK's delay scheduler when it times out.
 */
public final class TaskStore {
  private final Clock clock;
  private final ConcurrentHashMap<String, Task> tasks = new ConcurrentHashMap<>();

  /** One task: its record and a future completed when it finishes. */
  static final class Task {
    final String id;
    private final Map<String, Object> record;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Task(String id, Map<String, Object> record) {
      this.id = id;
      this.record = record;
    }

    synchronized Map<String, Object> snapshot() {
      return Json.deepCopy(record);
    }
  }

  TaskStore(Clock clock) {
    this.clock = clock;
  }

  /** Writes an {@code active} record; returns it. */
  Task create(String taskName, String serverUuid, String reqId) {
    String id = UUID.randomUUID().toString();
    Map<String, Object> rec = new LinkedHashMap<>();
    rec.put("id", id);
    rec.put("req_id", reqId);
    rec.put("task", taskName);
    rec.put("server_uuid", serverUuid);
    rec.put("status", "active");
    rec.put("timestamp", JsValues.isoString(clock.millis()));
    Task t = new Task(id, rec);
    tasks.put(id, t);
    return t;
  }

  /** Marks the task complete with cn-agent's reply body as the finish event. */
  void complete(Task t, Object result) {
    synchronized (t) {
      List<Object> history = new ArrayList<>();
      history.add(event("finish", result == null ? new LinkedHashMap<>() : result));
      t.record.put("status", "complete");
      t.record.put("history", history);
    }
    t.done.complete(null);
  }

  /** Marks the task failed: an error event with {@code message}, then an empty finish event. */
  void fail(Task t, String message) {
    synchronized (t) {
      Map<String, Object> err = new LinkedHashMap<>();
      err.put("message", message);
      Map<String, Object> errEvent = new LinkedHashMap<>();
      errEvent.put("error", err);
      List<Object> history = new ArrayList<>();
      history.add(event("error", errEvent));
      history.add(event("finish", new LinkedHashMap<>()));
      t.record.put("status", "failure");
      t.record.put("history", history);
    }
    t.done.complete(null);
  }

  private Map<String, Object> event(String name, Object event) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("name", name);
    e.put("timestamp", JsValues.isoString(clock.millis()));
    e.put("event", event);
    return e;
  }

  /** The record; 404 "no such task found". */
  public Map<String, Object> get(String id) {
    return require(id).snapshot();
  }

  /** Null when unknown. */
  public Map<String, Object> find(String id) {
    Task t = tasks.get(id);
    return t == null ? null : t.snapshot();
  }

  public int size() {
    return tasks.size();
  }

  /** The record once finished, or as it is (still {@code active}) after {@code timeoutSeconds}. */
  public CompletionStage<Map<String, Object>> await(String id, long timeoutSeconds) {
    Task t = require(id);
    if (t.done.isDone()) {
      return CompletableFuture.completedFuture(t.snapshot());
    }
    return t.done.copy().completeOnTimeout(null, timeoutSeconds, TimeUnit.SECONDS).thenApply(x -> t.snapshot());
  }

  private Task require(String id) {
    Task t = id == null ? null : tasks.get(id);
    if (t == null) {
      throw RestError.resourceNotFound("no such task found");
    }
    return t;
  }
}
