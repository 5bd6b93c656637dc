package com.joyent.mockcloud.cnagent;

import com.fasterxml.jackson.databind.util.RawValue;
import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One task in {@code GET /history} (spec cn-agent.md §2.7). While the task runs the entry is
 * live and guarded by its own lock; once it ends it is frozen to its compact JSON, since
 * thousands of CNs × 16 entries of live maps would cost far more memory.
 */
final class HistoryEntry {
  private final String startedAt;
  private final String task;
  private final int pid;
  private Object params; // dropped once frozen: the frozen JSON has it
  private String status = "active";
  private int errorCount;
  private List<Map<String, Object>> messages = new ArrayList<>();
  private String finishedAt;
  private volatile byte[] frozen;

  HistoryEntry(Instant startedAt, String task, int pid, Object params) {
    this.startedAt = JsValues.isoString(startedAt);
    this.task = task;
    this.pid = pid;
    this.params = params;
  }

  int pid() {
    return pid;
  }

  synchronized void addEvent(String name, Object event, Instant at) {
    if (frozen != null) {
      return; // events after the end are not recorded (the reference killed the worker)
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "event");
    m.put("name", name);
    m.put("event", event);
    m.put("timestamp", JsValues.isoString(at));
    messages.add(m);
    if (name.equals("error")) {
      errorCount++;
    }
  }

  /** Ends the entry: {@code finished} or {@code failed}, then freezes it. */
  synchronized void end(String endStatus, Instant at) {
    if (frozen != null) {
      return;
    }
    status = endStatus;
    finishedAt = JsValues.isoString(at);
    frozen = Json.compactBytes(toMap());
    messages = null;
    params = null;
  }

  synchronized List<Map<String, Object>> messagesSnapshot() {
    if (frozen != null) {
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> m = (List<Map<String, Object>>) Json.parseObject(frozen).get("messages");
      return m;
    }
    return new ArrayList<>(messages);
  }

  private Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("started_at", startedAt);
    m.put("task", task);
    m.put("pid", pid);
    m.put("params", params);
    m.put("status", status);
    m.put("errorCount", errorCount);
    m.put("messages", messages);
    m.put("log", List.of());
    if (finishedAt != null) {
      m.put("finished_at", finishedAt);
    }
    return m;
  }

  /** The entry as JSON, ready to be embedded in the history array. */
  Object render() {
    byte[] f = frozen;
    if (f != null) {
      return new RawValue(new String(f, StandardCharsets.UTF_8));
    }
    synchronized (this) {
      return frozen != null ? render() : Json.deepCopy(toMap());
    }
  }
}
