package com.joyent.mockcloud.triton;

import com.joyent.mockcloud.http.ContentMd5;
import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.json.Json;
import io.undertow.util.DateUtils;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * JSON over HTTP/1.1 to one Triton API, the way restify's JSON client talks: compact JSON
 * bodies and the client's headers ({@link #restifyRequest}). Backed by the process's one
 * {@link OutboundHttp} (keep-alive connections on the shared I/O worker), so many views of it
 * cost nothing. Thread-safe.
 */
public final class JsonHttpClient {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  private final OutboundHttp http;
  private final URI base;
  private final String apiName;
  private final String userAgent;
  private final Duration timeout;
  private final RequestGate gate;
  private final Map<String, String> extraHeaders;

  public JsonHttpClient(OutboundHttp http, URI base, String apiName, String userAgent) {
    this(http, base, apiName, userAgent, DEFAULT_TIMEOUT, null);
  }

  public JsonHttpClient(OutboundHttp http, URI base, String apiName, String userAgent, Duration timeout) {
    this(http, base, apiName, userAgent, timeout, null);
  }

  /**
   * @param timeout for the whole request, from sending to the last byte of the answer
   * @param gate shared bound on in-flight asynchronous requests, or null for none
   */
  public JsonHttpClient(OutboundHttp http, URI base, String apiName, String userAgent, Duration timeout,
      RequestGate gate) {
    this(http, base, apiName, userAgent, timeout, gate, Map.of());
  }

  private JsonHttpClient(OutboundHttp http, URI base, String apiName, String userAgent, Duration timeout,
      RequestGate gate, Map<String, String> extraHeaders) {
    this.http = http;
    this.base = base;
    this.apiName = apiName;
    this.userAgent = userAgent;
    this.timeout = timeout;
    this.gate = gate;
    this.extraHeaders = extraHeaders;
  }

  /**
   * This client, but every request on a connection of its own that the API closes after
   * answering ({@code connection: close}), as node's HTTP client without a keep-alive agent
   * (the Node cn-agent) talks: one TCP connection per heartbeat.
   */
  public JsonHttpClient withConnectionPerRequest() {
    return new JsonHttpClient(http, base, apiName, userAgent, timeout, gate, Map.of("Connection", "close"));
  }

  public String apiName() {
    return apiName;
  }

  public URI base() {
    return base;
  }

  /** Sends and waits. Throws IOException on a transport failure (refused, reset, timeout). */
  public ApiResponse send(String method, String pathAndQuery, Object body) throws IOException {
    try {
      return ApiResponse.of(http.send(request(method, pathAndQuery, body)).get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted during " + method + " " + pathAndQuery, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(describe(method, pathAndQuery) + " failed: " + e.getCause(), e.getCause());
    }
  }

  /** Sends without waiting, in the bulk lane; the future fails with an IOException on a transport failure. */
  public CompletableFuture<ApiResponse> sendAsync(String method, String pathAndQuery, Object body) {
    return sendAsync(method, pathAndQuery, body, RequestGate.Lane.BULK);
  }

  /** @param lane where the request waits at the shared gate when every place is taken */
  public CompletableFuture<ApiResponse> sendAsync(String method, String pathAndQuery, Object body,
      RequestGate.Lane lane) {
    return sendAsync(method, pathAndQuery, body, lane, false);
  }

  /**
   * @param completeOnIoThread complete on the I/O thread that read the answer, so what is
   *     chained on the future must be short and never block (see {@link OutboundHttp#send(OutboundHttp.Request, boolean)})
   */
  public CompletableFuture<ApiResponse> sendAsync(String method, String pathAndQuery, Object body,
      RequestGate.Lane lane, boolean completeOnIoThread) {
    OutboundHttp.Request req = request(method, pathAndQuery, body);
    Supplier<CompletableFuture<ApiResponse>> send = () -> http.send(req, completeOnIoThread).thenApply(ApiResponse::of);
    return gate == null ? send.get() : gate.submit(send, lane);
  }

  /**
   * GETs every page of a Triton list endpoint ({@code limit}/{@code offset}, 1000 a page, as
   * NAPI and VMAPI page) and returns the objects. A non-2xx answer throws {@link ApiException}.
   *
   * @param pathAndQuery the list path with its filters, e.g. {@code /nics?belongs_to_uuid=x}
   */
  public List<Map<String, Object>> getAllPages(String pathAndQuery) throws IOException {
    final int page = 1000;
    List<Map<String, Object>> all = new ArrayList<>();
    String sep = pathAndQuery.contains("?") ? "&" : "?";
    for (int offset = 0; ; offset += page) {
      String path = pathAndQuery + sep + "limit=" + page + "&offset=" + offset;
      ApiResponse r = send("GET", path, null);
      if (!r.isSuccessful()) {
        throw new ApiException(describe("GET", path), r);
      }
      List<Object> items = r.bodyList();
      for (Object o : items) {
        if (o instanceof Map<?, ?>) {
          @SuppressWarnings("unchecked")
          Map<String, Object> m = (Map<String, Object>) o;
          all.add(m);
        }
      }
      if (items.size() < page) {
        return all;
      }
    }
  }

  /** "NAPI POST /nics", for error messages. */
  public String describe(String method, String pathAndQuery) {
    return apiName + " " + method + " " + pathAndQuery;
  }

  private OutboundHttp.Request request(String method, String pathAndQuery, Object body) {
    return restifyRequest(method, base, pathAndQuery, userAgent, extraHeaders, body, timeout);
  }

  /**
   * A request as restify's JSON client on Node sends it (the golden traces' request headers):
   * {@code extraHeaders} first, then {@code accept}, for a body {@code content-type}, then
   * {@code user-agent} and {@code date} (when the request was made, as {@code toUTCString()}
   * prints it), for a body {@code content-length} and {@code content-md5}; and what Node's
   * HTTP layer adds, {@code Host} and {@code Connection} ({@code keep-alive} unless
   * {@code extraHeaders} says {@code close}). The body as compact JSON.
   */
  public static OutboundHttp.Request restifyRequest(String method, URI base, String pathAndQuery, String userAgent,
      Map<String, String> extraHeaders, Object body, Duration timeout) {
    Map<String, String> headers = new LinkedHashMap<>(12);
    String connection = "keep-alive";
    for (Map.Entry<String, String> e : extraHeaders.entrySet()) {
      if (e.getKey().equalsIgnoreCase("connection")) {
        connection = e.getValue();
      } else {
        headers.put(e.getKey(), e.getValue());
      }
    }
    headers.put("accept", "application/json");
    byte[] bytes = null;
    if (body != null) {
      bytes = Json.compactBytes(body);
      headers.put("content-type", "application/json");
    }
    headers.put("user-agent", userAgent);
    headers.put("date", DateUtils.toDateString(new Date()));
    if (bytes != null) {
      headers.put("content-length", Integer.toString(bytes.length));
      // restify's JSON client sends an MD5 of the body; servers may check it.
      headers.put("content-md5", ContentMd5.of(bytes));
    }
    headers.put("Connection", connection);
    return new OutboundHttp.Request(method, base, pathAndQuery, headers, bytes, timeout);
  }
}
