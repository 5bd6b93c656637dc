package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.util.Ipv4;

import com.joyent.mockcloud.http.ContentMd5;
import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.util.NamedThreads;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * CNAPI's calls to a CN's cn-agent (triton-apis.md §2.1–2.2), over the process's own
 * {@link OutboundHttp} client on the sandbox CNAPI's I/O threads. Every call is asynchronous: it
 * returns a stage that completes with the agent's {@link Reply}; a transport failure becomes a
 * reply with status 0. Nothing here blocks the caller.
 *
 * <p>Why not the JDK HttpClient: it keeps an idle connection for 20 minutes while cn-agent, as
 * node does, closes it after 5 s, so a task posted just as the agent closed the connection
 * failed ("header parser received no bytes"; a POST is not retried). {@code OutboundHttp}
 * closes idle connections first (after 4 s).
 *
 * <p>Completions run on {@code mockcloud-sandbox-cnapi-client-N} threads, from a pool with no
 * core threads, so an idle sandbox holds none; {@link #close()} stops it.
 */
final class CnAgentClient implements AutoCloseable {
  static final int DEFAULT_PORT = 5309;
  private static final Duration TIMEOUT = Duration.ofHours(1);
  private final ExecutorService executor;
  private final OutboundHttp http;

  CnAgentClient(HttpListeners listeners) {
    this.executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        new NamedThreads("sandbox-cnapi-client"));
    this.http = listeners.newClient(executor);
  }

  /** cn-agent's answer: HTTP status (0 = transport failure), parsed body (may be null), and text. */
  record Reply(int status, Object body, String error) {
    boolean ok() {
      return status >= 200 && status < 300;
    }

    /** CNAPI's failure message: the body's {@code error}, else restify's message, else the cause. */
    String failureMessage() {
      if (body instanceof Map<?, ?> m) {
        if (m.get("error") instanceof String s) {
          return s;
        }
        if (m.get("message") instanceof String s) {
          return s;
        }
      }
      return error != null ? error : "cn-agent answered " + status;
    }

    /** {@code details.restCode} of an error body, or null. */
    String restCode() {
      if (body instanceof Map<?, ?> m && m.get("details") instanceof Map<?, ?> d
          && d.get("restCode") instanceof String s) {
        return s;
      }
      return null;
    }
  }

  /** The address CNAPI dials for tasks, or null ("No admin NICs detected"). */
  static String taskAddress(Map<String, Object> sysinfo) {
    if ("Virtual".equals(sysinfo.get("System Type")) && sysinfo.containsKey("CN Agent IP")) {
      return String.valueOf(sysinfo.get("CN Agent IP"));
    }
    return adminIp(sysinfo);
  }

  /** The address for GET /history, POST /pause, POST /resume: CN Agent IP whenever present. */
  static String agentAddress(Map<String, Object> sysinfo) {
    if (sysinfo.containsKey("CN Agent IP")) {
      return String.valueOf(sysinfo.get("CN Agent IP"));
    }
    return adminIp(sysinfo);
  }

  static int port(Map<String, Object> sysinfo) {
    Integer p = sysinfo.containsKey("CN Agent Port") ? Values.parseInt(sysinfo.get("CN Agent Port")) : null;
    return p != null ? p : DEFAULT_PORT;
  }

  private static String adminIp(Map<String, Object> sysinfo) {
    if (sysinfo.get("Admin IP") instanceof String ip && (Ipv4.parse(ip) != null || ip.contains(":"))) {
      return ip;
    }
    String tag = sysinfo.get("Admin NIC Tag") instanceof String t ? t : "admin";
    if (sysinfo.get("Network Interfaces") instanceof Map<?, ?> ifaces) {
      for (Object nic : ifaces.values()) {
        if (nic instanceof Map<?, ?> n && n.get("NIC Names") instanceof List<?> names && names.contains(tag)
            && n.get("ip4addr") instanceof String ip && !ip.isEmpty()) {
          return ip;
        }
      }
    }
    return null;
  }

  /** {@code POST /tasks} with {@code {"task","params"}}, as CNAPI sends it. */
  CompletionStage<Reply> postTask(String host, int port, String serverUuid, String reqId, String task,
      Map<String, Object> params) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("task", task);
    body.put("params", params);
    byte[] bytes = Json.compactBytes(body);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x-server-uuid", serverUuid);
    headers.put("x-request-id", reqId);
    headers.put("accept", "application/json");
    headers.put("content-type", "application/json");
    headers.put("user-agent", "cnapi/1.26.4 (mockcloud sandbox)");
    headers.put("content-md5", ContentMd5.of(bytes)); // restify's JSON client sends it; restify servers check it
    return send(new OutboundHttp.Request("POST", uri(host, port), "/tasks", headers, bytes, TIMEOUT));
  }

  /** A plain call ({@code GET /history}, {@code POST /pause}, {@code POST /resume}). */
  CompletionStage<Reply> call(String method, String host, int port, String path, String reqId) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x-request-id", reqId);
    headers.put("accept", "application/json");
    byte[] body = null;
    if (method.equals("POST")) {
      headers.put("content-type", "application/json");
      body = new byte[] {'{', '}'};
    }
    return send(new OutboundHttp.Request(method, uri(host, port), path, headers, body, TIMEOUT));
  }

  private CompletionStage<Reply> send(OutboundHttp.Request req) {
    CompletableFuture<OutboundHttp.Response> f;
    try {
      f = http.send(req);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(new Reply(0, null, String.valueOf(e.getMessage())));
    }
    return f.handle((resp, failure) -> {
      if (failure != null) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure;
        return new Reply(0, null, t.getClass().getSimpleName() + ": " + t.getMessage());
      }
      Object parsed = null;
      byte[] bytes = resp.body();
      if (bytes != null && bytes.length > 0) {
        try {
          parsed = Json.parse(bytes);
        } catch (Json.JsonFormatException e) {
          parsed = null;
        }
      }
      return new Reply(resp.status(), parsed, null);
    });
  }

  private static URI uri(String host, int port) {
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return URI.create("http://" + h + ":" + port);
  }

  /** Closes the pooled connections and stops the completion pool. */
  @Override
  public void close() {
    http.close();
    executor.shutdownNow();
  }
}
