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
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * JSON over HTTP/1.1 to one Triton API, the way restify's JSON client talks: compact JSON
 * bodies and the client's headers ({@link #restifyRequest}). Backed by the process's one
 * {@link OutboundHttp} (keep-alive connections on the shared I/O worker), so many views of it
 * cost nothing. Thread-safe.
 */
public final class JsonHttpClient {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  private static final Map<String, String> CONNECTION_CLOSE = Map.of("Connection", "close");
  private final OutboundHttp http;
  private final URI base;
  private final String apiName;
  private final String userAgent;
  private final Duration timeout;
  private final RequestGate gate;
  private final Executor starter;
  private final Map<String, String> extraHeaders;

  private JsonHttpClient(Builder b) {
    this.http = b.http;
    this.base = b.base;
    this.apiName = b.apiName;
    this.userAgent = b.userAgent;
    this.timeout = b.timeout;
    this.gate = b.gate;
    this.starter = b.starter;
    this.extraHeaders = b.connectionPerRequest ? CONNECTION_CLOSE : Map.of();
  }

  /** The one way to make a client: {@code JsonHttpClient.to(http, url, "VMAPI").userAgent(ua).build()}. */
  public static Builder to(OutboundHttp http, URI base, String apiName) {
    return new Builder(http, base, apiName);
  }

  /** What a client is made of; only the user agent is required. */
  public static final class Builder {
    private final OutboundHttp http;
    private final URI base;
    private final String apiName;
    private String userAgent;
    private Duration timeout = DEFAULT_TIMEOUT;
    private RequestGate gate;
    private Executor starter;
    private boolean connectionPerRequest;

    private Builder(OutboundHttp http, URI base, String apiName) {
      this.http = http;
      this.base = base;
      this.apiName = apiName;
    }

    public Builder userAgent(String userAgent) {
      this.userAgent = userAgent;
      return this;
    }

    /** For the whole request, from sending to the last byte of the answer; 30 s unless set. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** The shared bound on this API's asynchronous requests in flight; none unless set. */
    public Builder gate(RequestGate gate) {
      this.gate = gate;
      return this;
    }

    /**
     * Where a gated request is started once it has its place, instead of on the thread that
     * freed the place (often an I/O thread); needs a gate.
     */
    public Builder startOn(Executor starter) {
      this.starter = starter;
      return this;
    }

    /**
     * Every request on a connection of its own that the API closes after answering
     * ({@code connection: close}), as node's HTTP client without a keep-alive agent (the Node
     * cn-agent) talks: one TCP connection per heartbeat.
     */
    public Builder connectionPerRequest(boolean perRequest) {
      this.connectionPerRequest = perRequest;
      return this;
    }

    public JsonHttpClient build() {
      if (userAgent == null) {
        throw new IllegalStateException(apiName + " client needs a user agent");
      }
      if (starter != null && gate == null) {
        throw new IllegalStateException(apiName + " client: startOn needs a gate");
      }
      return new JsonHttpClient(this);
    }
  }

  public String apiName() {
    return apiName;
  }

  public URI base() {
    return base;
  }

  public String userAgent() {
    return userAgent;
  }

  /** Sends and waits. Throws IOException on a transport failure (refused, reset, timeout). */
  public ApiResponse send(String method, String pathAndQuery, Object body) throws IOException {
    try {
      return ApiResponse.of(http.send(request(method, pathAndQuery, body, Map.of())).get());
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
    return sendAsync(request(method, pathAndQuery, body, Map.of()), lane, completeOnIoThread);
  }

  /**
   * In the bulk lane, with headers of this request's own sent first ({@code If-Match},
   * {@code accept-version}), as restify's client puts a call's headers before its own.
   */
  public CompletableFuture<ApiResponse> sendAsync(String method, String pathAndQuery, Object body,
      Map<String, String> headers) {
    return sendAsync(request(method, pathAndQuery, body, headers), RequestGate.Lane.BULK, false);
  }

  private CompletableFuture<ApiResponse> sendAsync(OutboundHttp.Request req, RequestGate.Lane lane,
      boolean completeOnIoThread) {
    Supplier<CompletableFuture<ApiResponse>> send = () -> http.send(req, completeOnIoThread).thenApply(ApiResponse::of);
    return gate == null ? send.get() : gated(send, lane);
  }

  /**
   * Runs a request of another kind (a WebSocket handshake) under this client's gate and, if
   * it has one, started on its starter.
   */
  public <T> CompletableFuture<T> gated(Supplier<CompletableFuture<T>> request) {
    return gated(request, RequestGate.Lane.BULK);
  }

  private <T> CompletableFuture<T> gated(Supplier<CompletableFuture<T>> request, RequestGate.Lane lane) {
    if (starter == null) {
      return gate.submit(request, lane);
    }
    // supplyAsync throws if the executor is shut down; the gate then fails the request and frees its place
    return gate.submit(() -> CompletableFuture.supplyAsync(request, starter).thenCompose(f -> f), lane);
  }

  /**
   * GETs every page of a Triton list endpoint and returns its objects: the path as given (the
   * APIs' default limit, 1000, is their page size), then while a page is full the next with
   * {@code &limit=1000&offset=<n>}, as vm-agent pages VMAPI. A non-2xx answer fails the future
   * with an IllegalStateException naming the call and the status.
   *
   * @param pathAndQuery the list path with its filters, e.g. {@code /nics?belongs_to_uuid=x}
   */
  public CompletableFuture<List<Map<String, Object>>> getAllPages(String pathAndQuery) {
    return pagesFrom(pathAndQuery, 0, new ArrayList<>());
  }

  private CompletableFuture<List<Map<String, Object>>> pagesFrom(String first, int offset,
      List<Map<String, Object>> acc) {
    final int page = 1000;
    String path = offset == 0 ? first
        : first + (first.contains("?") ? "&" : "?") + "limit=" + page + "&offset=" + offset;
    return sendAsync("GET", path, null).thenCompose(r -> {
      if (!r.isSuccessful()) {
        return CompletableFuture.failedFuture(
            new IllegalStateException(describe("GET", path) + " answered " + r.status()));
      }
      List<Object> items = r.bodyList();
      for (Object o : items) {
        if (o instanceof Map<?, ?>) {
          @SuppressWarnings("unchecked")
          Map<String, Object> m = (Map<String, Object>) o;
          acc.add(m);
        }
      }
      return items.size() >= page ? pagesFrom(first, offset + items.size(), acc)
          : CompletableFuture.completedFuture(acc);
    });
  }

  /** Waits for a future of this client's, failing as {@link #send} does. */
  public static <T> T await(CompletableFuture<T> f, String what) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted during " + what, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    }
  }

  /** "NAPI POST /nics", for error messages. */
  public String describe(String method, String pathAndQuery) {
    return apiName + " " + method + " " + pathAndQuery;
  }

  private OutboundHttp.Request request(String method, String pathAndQuery, Object body, Map<String, String> headers) {
    Map<String, String> extra = extraHeaders;
    if (!headers.isEmpty()) {
      extra = new LinkedHashMap<>(headers);
      extra.putAll(extraHeaders);
    }
    return restifyRequest(method, base, pathAndQuery, userAgent, extra, body, timeout);
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
