package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.http.WebSocketDialer;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.triton.RequestGate;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * One CN's way out to NAPI: JSON requests as restify's client sends them
 * ({@link JsonHttpClient#restifyRequest}, with this CN's uuid in the {@code user-agent}) plus
 * the two headers net-agent needs that {@code JsonHttpClient}'s own calls have no room for:
 * {@code If-Match} on DELETE and {@code Accept-Version} on the changefeed probe; and the
 * WebSocket dialer for the changefeed itself. Every request passes the process-wide gate of
 * its NAPI ({@link #gateFor}): at most so many started and not yet finished, the rest wait in
 * one FIFO. This, with the random start spread, is what keeps 10,000 CNs starting together
 * from stampeding NAPI. A request is started on the given executor, never on the thread that
 * freed its place (often an I/O thread). A 4xx/5xx is an {@link ApiResponse}; only a
 * transport failure fails the future. Thread-safe; holds no per-request state.
 */
final class NapiHttp {
  private static final ConcurrentHashMap<String, RequestGate> GATES = new ConcurrentHashMap<>();

  private final OutboundHttp http;
  private final WebSocketDialer webSockets;
  private final URI base;
  private final String userAgent;
  private final Duration timeout;
  private final RequestGate gate;
  private final Executor starter;

  NapiHttp(OutboundHttp http, WebSocketDialer webSockets, URI base, String userAgent, Duration timeout, RequestGate gate, Executor starter) {
    String b = base.toString();
    this.http = http;
    this.webSockets = webSockets;
    this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
    this.userAgent = userAgent;
    this.timeout = timeout;
    this.gate = gate;
    this.starter = starter;
  }

  /** The process-wide gate of one NAPI, shared by every net-agent using it; the first caller's limit wins. */
  static RequestGate gateFor(String napiUrl, int limit) {
    return GATES.computeIfAbsent(napiUrl, u -> RequestGate.singleLane(limit));
  }

  WebSocketDialer webSockets() {
    return webSockets;
  }

  URI base() {
    return base;
  }

  String userAgent() {
    return userAgent;
  }

  CompletableFuture<ApiResponse> send(String method, String path, Object body) {
    return send(method, path, body, null, null);
  }

  CompletableFuture<ApiResponse> send(String method, String path, Object body, String ifMatch, String acceptVersion) {
    Map<String, String> extra = new LinkedHashMap<>(4);
    if (ifMatch != null) {
      extra.put("If-Match", ifMatch);
    }
    if (acceptVersion != null) {
      extra.put("accept-version", acceptVersion);
    }
    OutboundHttp.Request req = JsonHttpClient.restifyRequest(method, base, path, userAgent, extra, body, timeout);
    return gated(() -> http.send(req).thenApply(ApiResponse::of));
  }

  /** Runs a request under this NAPI's gate (also the WebSocket handshake), started on the executor. */
  <T> CompletableFuture<T> gated(Supplier<CompletableFuture<T>> request) {
    // supplyAsync throws if the executor is shut down; the gate then fails the request and frees its place
    return gate.submit(() -> CompletableFuture.supplyAsync(request, starter).thenCompose(f -> f));
  }
}
