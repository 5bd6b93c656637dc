package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.JsonHttpClient;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * recovery_config (spec cn-agent.md §3.2.20), in the reference's order of checks. A mock CN
 * has no encrypted zpool, so unless sysinfo says {@code "Zpool Encrypted"} it fails at that
 * check, as on the reference; with it, staging/activation and the KBMAPI call are done.
 */
final class RecoveryConfigTask {
  private static final String PREFIX = "Recovery Configuration error: ";

  private RecoveryConfigTask() {}

  static void run(TaskContext ctx) throws Exception {
    Map<String, Object> p = ctx.params();
    Object action = p.get("action");
    if (!JsValues.truthy(action) || !JsValues.truthy(p.get("pivtoken")) || !JsValues.truthy(p.get("recovery_uuid"))) {
      ctx.fatal(PREFIX + "Missing required request parameters");
      return;
    }
    if (!"stage".equals(action) && !"activate".equals(action)) {
      ctx.fatal(PREFIX + "Invalid value for action parameter");
      return;
    }
    if ("stage".equals(action) && !JsValues.truthy(p.get("template"))) {
      ctx.fatal(PREFIX + "Missing template request parameter");
      return;
    }
    ctx.progress(10);
    String kbmapiHost = "kbmapi." + ctx.cn().settings().requireDatacenter() + "." + ctx.cn().settings().requireDnsDomain();
    String kbmapiIp;
    try {
      kbmapiIp = InetAddress.getByName(kbmapiHost).getHostAddress();
    } catch (UnknownHostException e) {
      ctx.fatal(PREFIX + "getaddrinfo ENOTFOUND " + kbmapiHost);
      return;
    }
    ctx.progress(25);
    // The reference used its start-up snapshot and so could undo later Boot Time / NIC Names
    // changes when it rewrote the file; the current file is used instead (docs/cn-agent.md).
    Map<String, Object> sysinfo = ctx.cn().dir().readSysinfo();
    if (!JsValues.truthy(sysinfo.get("Zpool Encrypted"))) {
      ctx.fatal(PREFIX + "Recovery configuration can be staged or activated only on servers with encrypted zpools");
      return;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> recovery = sysinfo.get("Zpool Recovery") instanceof Map<?, ?> r
        ? new LinkedHashMap<>((Map<String, Object>) r) : new LinkedHashMap<>();
    if ("activate".equals(action)) {
      Object staged = recovery.get("staged");
      if (!(staged instanceof String s) || !uuidFromHex(s).equals(p.get("recovery_uuid"))) {
        ctx.fatal(PREFIX + "Only the staged recovery configuration can be activated");
        return;
      }
      recovery.put("active", staged);
      recovery.remove("staged");
    } else {
      recovery.put("staged", sha512Hex(String.valueOf(p.get("template"))));
    }
    ctx.progress(50);
    sysinfo.put("Zpool Recovery", recovery);
    AtomicFiles.write(ctx.cn().dir().sysinfoFile(), Json.prettyBytes(sysinfo, 2));
    ctx.reporter().sysinfoChanged();
    ctx.progress(65);
    Map<String, Object> zr = new LinkedHashMap<>();
    recovery.forEach((k, v) -> zr.put(k, uuidFromHex(String.valueOf(v))));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("zpool_recovery", zr);
    body.put("cn_uuid", ctx.cn().serverUuid().toString());
    if (p.get("token") != null) {
      body.put("recovery_token", uuidFromHex(sha512Hex(String.valueOf(p.get("token")))));
    }
    ctx.progress(75);
    JsonHttpClient kbmapi = ctx.cn().apis().kbmapi(URI.create("http://" + kbmapiIp),
        ctx.cn().options().userAgent(ctx.cn().serverUuid()));
    ApiResponse r = kbmapi.send("PUT", "/pivtokens/" + p.get("pivtoken") + "/recovery-tokens", body);
    if (!r.isSuccessful()) {
      ctx.fatal(PREFIX + (r.errorMessage() != null ? r.errorMessage() : "KBMAPI answered " + r.status()));
      return;
    }
    ctx.progress(100);
    ctx.finish();
  }

  static String sha512Hex(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  /** The reference's uuidFromHex: first 16 bytes, version 5 and variant bits forced. */
  static String uuidFromHex(String hex) {
    byte[] b = HexFormat.of().parseHex(hex.length() >= 32 ? hex.substring(0, 32) : hex);
    b[8] = (byte) ((b[8] & 0x3f) | 0xa0);
    b[6] = (byte) ((b[6] & 0x0f) | 0x50);
    String h = HexFormat.of().formatHex(b, 0, 16);
    return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20) + "-"
        + h.substring(20, 32);
  }
}
