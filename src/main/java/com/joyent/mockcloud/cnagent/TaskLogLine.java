package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/** One bunyan record of a per-task log file (spec cn-agent.md §2.6.7). */
final class TaskLogLine {
  private static final String HOSTNAME = hostname();

  private TaskLogLine() {}

  /** Bunyan's levels used here. */
  static final int DEBUG = 20;
  static final int ERROR = 50;

  static String render(String task, int pid, CnContext cn, String msg) {
    return render(task, pid, cn, DEBUG, msg);
  }

  static String render(String task, int pid, CnContext cn, int level, String msg) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("name", "cn-agent");
    r.put("hostname", HOSTNAME);
    r.put("pid", pid);
    r.put("level", level);
    r.put("server_uuid", cn.serverUuid().toString());
    r.put("task", task);
    r.put("msg", msg);
    r.put("time", JsValues.isoString(cn.clock().instant()));
    r.put("v", 0);
    return Json.compact(r);
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }
}
