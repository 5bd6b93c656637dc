package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.http.WebSocketDialer;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.JsonHttpClient;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One CN's way out to NAPI: JSON requests as restify's client sends them
 * ({@link JsonHttpClient#restifyRequest}, with this CN's uuid in the {@code user-agent}) plus
 * the two headers net-agent needs that {@code JsonHttpClient}'s own calls have no room for:
 * {@code If-Match} on DELETE and {@code Accept-Version} on the changefeed probe; and the
 * WebSocket dialer for the changefeed itself. Every
 * request passes the process-wide {@link RequestGate}. A 4xx/5xx is an {@link ApiResponse};
 * only a transport failure fails the future. Thread-safe; holds no per-request state.
 */
final class NapiHttp {
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
    return gate.submit(() -> http.send(req).thenApply(ApiResponse::of), starter);
  }

  /** Runs another kind of request (the WebSocket handshake) under the same gate. */
  <T> CompletableFuture<T> gated(java.util.function.Supplier<CompletableFuture<T>> request) {
    return gate.submit(request, starter);
  }
}
