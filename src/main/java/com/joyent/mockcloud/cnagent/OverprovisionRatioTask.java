package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code server_overprovision_ratio} as the smartos backend runs it (CNAPI sends it when
 * ServerUpdate changes {@code overprovision_ratios} of a set-up server): sets
 * {@code overprovision_ratio='<value>'} in the CN's config file — {@code /usbkey/config} on a
 * headnode ({@code Boot Parameters.headnode} is {@code "true"}), else
 * {@code /opt/smartdc/config/node.config}. On a mock CN these paths are under its server
 * directory ({@code usbkey/config}, {@code opt/smartdc/config/node.config}); a mock CN was never
 * set up by the real setup, so a missing file is created rather than crashing the task as it
 * would on a real CN.
 *
 * <p>The rewrite is the real one, line for line: the line whose key (text before the first
 * {@code =}) is {@code overprovision_ratio} is replaced, else the setting is appended, and the
 * lines are joined with newlines plus one more. Answers {@code {}}; a falsy {@code value} →
 * {@code no value given}; a sysinfo without {@code Boot Parameters} → the crash answer; a write
 * failure → {@code {"error": <message>}} as the error, as the real task nests it.
 */
final class OverprovisionRatioTask {
  static final String KEY = "overprovision_ratio";

  private OverprovisionRatioTask() {}

  static void run(TaskContext ctx) throws IOException {
    Object value = ctx.params().get("value");
    if (!JsValues.truthy(value)) {
      ctx.fatal("no value given");
      return;
    }
    Map<String, Object> sysinfo = ctx.currentSysinfo();
    if (!(sysinfo.get("Boot Parameters") instanceof Map<?, ?> boot)) {
      throw TaskContext.crash("sysinfo has no Boot Parameters");
    }
    Path file = configFile(ctx, "true".equals(boot.get("headnode")));
    try {
      String old = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
      Files.createDirectories(file.getParent());
      AtomicFiles.write(file, rewrite(old, jsString(value)).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      ctx.log("server_overprovision_ratio: writing " + file + " failed: " + e);
      ctx.fatal(Map.of("error", String.valueOf(e.getMessage())));
      return;
    }
    ctx.finish();
  }

  static Path configFile(TaskContext ctx, boolean headnode) {
    Path dir = ctx.cn().dir().dir();
    return headnode ? dir.resolve("usbkey").resolve("config")
        : dir.resolve("opt").resolve("smartdc").resolve("config").resolve("node.config");
  }

  /** The config text (null: no file yet) with the setting replaced or appended, as the real task writes it. */
  static String rewrite(String old, String value) {
    String setting = KEY + "='" + value + "'";
    List<String> out = new ArrayList<>();
    boolean found = false;
    for (String line : old == null ? new String[0] : old.split("\n", -1)) {
      int idx = line.indexOf('=');
      // JavaScript's slice(0, -1) when there is no '=': the line less its last character.
      String key = idx >= 0 ? line.substring(0, idx) : line.substring(0, Math.max(0, line.length() - 1));
      if (key.equals(KEY)) {
        found = true;
        out.add(setting);
      } else {
        out.add(line);
      }
    }
    if (!found) {
      out.add(setting);
    }
    return String.join("\n", out) + "\n";
  }

  /** JavaScript's String(value) for a JSON value. */
  private static String jsString(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Map<?, ?>) {
      return "[object Object]";
    }
    if (v instanceof List<?> list) {
      List<String> parts = new ArrayList<>();
      for (Object x : list) {
        parts.add(x == null ? "" : jsString(x));
      }
      return String.join(",", parts);
    }
    return Json.compact(v);
  }
}
