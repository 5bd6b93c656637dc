package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** {@code nop} and the server_* / command tasks (spec cn-agent.md §3.2.1, 3.2.15–3.2.18). */
final class ServerTasks {
  private ServerTasks() {}

  /** Optionally sleeps {@code sleep} seconds (on the scheduler, holding no thread), optionally fails with {@code error}. */
  static CompletionStage<?> nop(TaskContext ctx) {
    Map<String, Object> p = ctx.params();
    double sleep = jsNumber(p.get("sleep"));
    Runnable end = () -> {
      Object error = p.get("error");
      if (JsValues.truthy(error)) {
        ctx.fatal(error);
      } else {
        ctx.finish();
      }
    };
    if (sleep > 0) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      ctx.cn().timer().schedule(() -> {
        try {
          end.run();
        } finally {
          done.complete(null);
        }
      }, (long) (sleep * 1000), TimeUnit.MILLISECONDS);
      return done;
    }
    end.run();
    return CompletableFuture.completedFuture(null);
  }

  /** The file as it is now, plus the agent address (§3.2.15); a read failure nests the error (quirk). */
  static void sysinfo(TaskContext ctx) {
    try {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("sysinfo", ctx.currentSysinfo());
      ctx.finish(body);
    } catch (IOException e) {
      Map<String, Object> err = new LinkedHashMap<>();
      err.put("error", e.toString());
      ctx.fatal(err);
    }
  }

  /** A new {@code Boot Time}; VMs are not touched; CNAPI hears of it through re-registration. */
  static void reboot(TaskContext ctx) throws IOException {
    Map<String, Object> s = ctx.currentSysinfo();
    s.put("Boot Time", Long.toString(ctx.cn().clock().instant().getEpochSecond()));
    writeSysinfo(ctx, s);
    ctx.finish();
  }

  /** Sets {@code NIC Names} of the interfaces whose MAC is given (§3.2.17). */
  static void updateNics(TaskContext ctx) throws IOException {
    if (!(ctx.params().get("nics") instanceof List<?> nics)) {
      throw TaskContext.crash("params.nics must be an array");
    }
    Map<String, Object> s = ctx.currentSysinfo();
    if (!(s.get("Network Interfaces") instanceof Map<?, ?> ifaces)) {
      throw TaskContext.crash("sysinfo has no Network Interfaces");
    }
    for (Object iface : ifaces.values()) {
      if (!(iface instanceof Map<?, ?> m) || !(m.get("MAC Address") instanceof String)) {
        throw TaskContext.crash("a sysinfo NIC has no MAC Address");
      }
    }
    boolean changed = false;
    for (Object n : nics) {
      if (!(n instanceof Map<?, ?> nic)) {
        continue;
      }
      boolean found = false;
      for (Object iface : ifaces.values()) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) iface;
        if (m.get("MAC Address").equals(nic.get("mac"))) {
          m.put("NIC Names", nic.get("nic_tags_provided"));
          found = true;
          changed = true;
        }
      }
      if (!found) {
        ctx.log("server_update_nics: no NIC with MAC " + nic.get("mac") + " in sysinfo, skipped");
      }
    }
    if (changed) {
      writeSysinfo(ctx, s);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sysinfo", s);
    ctx.finish(body);
  }

  /** Never runs anything: the reference's fixed "not implemented" result (§3.2.18). */
  static void commandExecute(TaskContext ctx) {
    ctx.requireString("script");
    String msg = "command_execute not implemented for mockcloud servers";
    Map<String, Object> err = new LinkedHashMap<>();
    err.put("jse_shortmsg", msg);
    err.put("jse_info", new LinkedHashMap<>());
    err.put("message", msg);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("err", err);
    r.put("exitCode", 666);
    r.put("signal", null);
    r.put("stderr", "cn-agent: " + msg + "\n");
    r.put("stdout", "");
    ctx.finish(r);
  }

  /** Rewrites sysinfo.json as the tasks do (2-space JSON) and re-registers with CNAPI. */
  static void writeSysinfo(TaskContext ctx, Map<String, Object> sysinfo) throws IOException {
    AtomicFiles.write(ctx.cn().dir().sysinfoFile(), Json.prettyBytes(sysinfo, 2));
    CnapiReporter reporter = ctx.reporter();
    if (reporter != null) {
      reporter.sysinfoChanged();
    }
  }

  /** {@code Number(v)} for a truthy number or numeric string, else 0. */
  static double jsNumber(Object v) {
    if (!JsValues.truthy(v)) {
      return 0;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return Double.parseDouble(String.valueOf(v).strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
