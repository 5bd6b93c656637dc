package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.util.Uuids;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What a running task sees and how it reports (spec cn-agent.md §2.6): its params (its own
 * deep copy), the CN it runs on, and the event helpers whose payloads land in the history
 * entry and decide the HTTP answer. Events are decorated with {@code req_id} when the params
 * carry one. Used by one task at a time; the runner reads the outcome under the same lock.
 */
public final class TaskContext {
  private final CnAgent agent;
  private final CnContext cn;
  private final String task;
  private final String requestId;
  private final Object params;
  private final HistoryEntry entry;
  private final Clock clock;
  private final List<String> logLines = new ArrayList<>();
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private Map<String, Object> lastError;
  private Object finishPayload;
  private int lastProgress = -1;

  TaskContext(CnAgent agent, String task, String requestId, Object params, HistoryEntry entry, Clock clock) {
    this.agent = agent;
    this.cn = agent.context();
    this.task = task;
    this.requestId = requestId;
    this.params = params;
    this.entry = entry;
    this.clock = clock;
  }

  public CnContext cn() {
    return cn;
  }

  /** The CN's CNAPI reporter (tasks run only once it registered, so never null). */
  CnapiReporter reporter() {
    return agent.reporter();
  }

  /** The CN's sysinfo as it registers it: sysinfo.json plus its agent's port and IP. */
  Map<String, Object> currentSysinfo() throws IOException {
    return agent.currentSysinfo();
  }

  public String task() {
    return task;
  }

  /**
   * Copies the HTTP request id into this task's params as {@code req_id}, as the reference's
   * boot and snapshot tasks do when they hand their params to vmadm: every event from here on,
   * the answer included, then ends with it (spec §2.6.2). The history keeps the params as sent.
   */
  public void adoptRequestId() {
    params().put("req_id", requestId);
  }

  /** The params object; a task whose params are not an object crashes, as the reference asserts. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> params() {
    if (!(params instanceof Map<?, ?>)) {
      throw crash("params must be an object");
    }
    return (Map<String, Object>) params;
  }

  /** {@code params[name]} as a UUID string; anything else crashes the task. */
  public String requireUuid(String name) {
    Object v = params().get(name);
    if (!(v instanceof String s) || !Uuids.isUuid(s)) {
      throw crash("params." + name + " must be a UUID, got " + v);
    }
    return s;
  }

  public String requireString(String name) {
    Object v = params().get(name);
    if (!(v instanceof String s)) {
      throw crash("params." + name + " must be a string, got " + v);
    }
    return s;
  }

  public static TaskCrash crash(String why) {
    return new TaskCrash(why);
  }

  public void log(String line) {
    synchronized (this) {
      logLines.add(line);
    }
  }

  synchronized List<String> logLines() {
    return new ArrayList<>(logLines);
  }

  /** The wrapper's opening events: {@code progress 0}, {@code start}. */
  void begin() {
    progress(0);
    emit("start", new LinkedHashMap<>());
  }

  public void progress(int value) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("value", value);
    synchronized (this) {
      lastProgress = value;
    }
    emit("progress", decorate(p));
  }

  /** An {@code error} event; the task answers 500 with the last one (unless it crashes). */
  public void error(Object message, Map<String, Object> details) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("error", message);
    if (details != null) {
      e.put("details", details);
    }
    Map<String, Object> decorated = decorate(e);
    synchronized (this) {
      lastError = decorated;
    }
    emit("error", decorated);
  }

  /** Ends the task: {@code progress 100} if not yet reached, then {@code finish}. */
  public void finish(Object value) {
    synchronized (this) {
      if (finished.isDone()) {
        return;
      }
    }
    if (lastProgressBelow100()) {
      progress(100);
    }
    Object payload = value instanceof Map<?, ?> m ? decorate(copy(m)) : value == null ? decorate(new LinkedHashMap<>()) : value;
    synchronized (this) {
      finishPayload = payload;
    }
    emit("finish", payload);
    finished.complete(null);
  }

  public void finish() {
    finish(null);
  }

  /** {@code error} then {@code finish}: the task fails with this message. */
  public void fatal(Object message, Map<String, Object> details) {
    error(message, details);
    finish(null);
  }

  public void fatal(Object message) {
    fatal(message, null);
  }

  /** A named step (machine_create, machine_reprovision): {@code start:<name>}, body, progress, {@code end:<name>}. */
  public <T> T step(String name, int progress, String description, StepBody<T> body) throws Exception {
    Map<String, Object> start = new LinkedHashMap<>();
    start.put("timestamp", JsValues.isoString(clock.instant()));
    start.put("description", description);
    emit("start:" + name, start);
    T result = body.run();
    progress(progress);
    Map<String, Object> end = new LinkedHashMap<>();
    end.put("timestamp", JsValues.isoString(clock.instant()));
    emit("end:" + name, end);
    return result;
  }

  @FunctionalInterface
  public interface StepBody<T> {
    T run() throws Exception;
  }

  boolean isFinished() {
    return finished.isDone();
  }

  CompletableFuture<Void> finishedFuture() {
    return finished;
  }

  synchronized Map<String, Object> lastError() {
    return lastError;
  }

  synchronized Object finishPayload() {
    return finishPayload;
  }

  private synchronized boolean lastProgressBelow100() {
    return lastProgress < 100;
  }

  private void emit(String name, Object payload) {
    Instant now = clock.instant();
    entry.addEvent(name, payload, now);
    log("event " + name);
  }

  /** Appends {@code req_id} (from the task params) as the last key, when the params have one. */
  private Map<String, Object> decorate(Map<String, Object> payload) {
    if (params instanceof Map<?, ?> p && p.containsKey("req_id") && p.get("req_id") != null) {
      payload.remove("req_id");
      payload.put("req_id", p.get("req_id"));
    }
    return payload;
  }

  private static Map<String, Object> copy(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }
}
