package com.joyent.mockcloud.http;

import com.joyent.mockcloud.json.Json;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.PathTemplateMatcher;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A restify-compatible request pipeline on Undertow: route by method and path template
 * ({@code /servers/{uuid}}), merge params, parse JSON bodies, negotiate {@code Accept},
 * render {@link RestError}s, and add restify's response headers (cn-agent.md §2.2): on every
 * answer Node's {@code Connection} (with {@code Keep-Alive: timeout=5} when the connection
 * stays open; listeners close idle ones after that long, see {@link HttpListeners}), and on
 * answers from a handler also {@code Server}, {@code x-request-id}, {@code x-response-time}
 * and {@code x-server-name}. A body that is not JSON gets {@code 400 InvalidContent "Invalid
 * JSON: <JSON.parse's message>"}. Request bodies are read by {@link BodyReader}, bounded by
 * {@link #maxBodyBytes(long)} where set.
 *
 * <p>Everything here runs on the I/O thread and never blocks; handlers that wait return an
 * incomplete stage, and the reply is written back on the exchange's I/O thread.
 * Routes are registered before the listener starts; the router is then read-only.
 */
public final class RestRouter implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(RestRouter.class);
  private static final HttpString X_REQUEST_ID = new HttpString("x-request-id");
  private static final HttpString X_RESPONSE_TIME = new HttpString("x-response-time");
  private static final HttpString X_SERVER_NAME = new HttpString("x-server-name");
  private static final HttpString CONNECTION = new HttpString("Connection");
  private static final HttpString KEEP_ALIVE = new HttpString("Keep-Alive");
  /** Node's {@code server.keepAliveTimeout} (5 s), announced as restify services announce it. */
  public static final int KEEP_ALIVE_SECONDS = 5;
  private static final String KEEP_ALIVE_VALUE = "timeout=" + KEEP_ALIVE_SECONDS;
  private static final String ACCEPTABLE =
      "application/json,text/plain,application/octet-stream,application/javascript";
  private static final String LOCAL_HOSTNAME = localHostname();

  private final Map<String, PathTemplateMatcher<RestHandler>> byMethod = new TreeMap<>();
  private final String serverHeader;
  private long maxBodyBytes;

  public RestRouter(String serverHeader) {
    this.serverHeader = serverHeader;
  }

  /**
   * Caps request bodies at {@code max} bytes (restify's {@code maxBodySize}; 0, the default,
   * is no limit, as restify). A larger body is answered {@code 413 PayloadTooLargeError}
   * ({@link RestError#payloadTooLarge}) before any handler runs, and the connection is closed:
   * a declared {@code Content-Length} over the limit is rejected before a byte of the body is
   * read, a chunked body as soon as more than {@code max} bytes have arrived. Bodies are never
   * held in memory beyond the limit. Set before the listener starts.
   */
  public RestRouter maxBodyBytes(long max) {
    if (max < 0) {
      throw new IllegalArgumentException("maxBodyBytes must be >= 0: " + max);
    }
    this.maxBodyBytes = max;
    return this;
  }

  public RestRouter route(String method, String template, RestHandler handler) {
    byMethod.computeIfAbsent(method, m -> new PathTemplateMatcher<>()).add(template, handler);
    return this;
  }

  public RestRouter get(String template, RestRouter.Sync h) {
    return route("GET", template, RestHandler.sync(h::handle));
  }

  public RestRouter post(String template, RestRouter.Sync h) {
    return route("POST", template, RestHandler.sync(h::handle));
  }

  public RestRouter put(String template, RestRouter.Sync h) {
    return route("PUT", template, RestHandler.sync(h::handle));
  }

  public RestRouter delete(String template, RestRouter.Sync h) {
    return route("DELETE", template, RestHandler.sync(h::handle));
  }

  /** Short form of {@link RestHandler.SyncRestHandler} for the registration helpers. */
  @FunctionalInterface
  public interface Sync {
    RestResponse handle(RestRequest request);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    long start = System.nanoTime();
    String requestId = firstNonEmpty(exchange.getRequestHeaders().getFirst("request-id"),
        exchange.getRequestHeaders().getFirst("x-request-id"));
    String reqId = requestId != null ? requestId : UUID.randomUUID().toString();
    String path = exchange.getRequestPath();
    String method = exchange.getRequestMethod().toString();

    PathTemplateMatcher<RestHandler> matcher = byMethod.get(method);
    PathTemplateMatcher.PathMatchResult<RestHandler> match = matcher == null ? null : matcher.match(path);
    if (match == null) {
      List<String> allowed = allowedMethods(path);
      RestError err = allowed.isEmpty()
          ? RestError.resourceNotFound(path + " does not exist")
          : RestError.methodNotAllowed(method);
      RestResponse resp = errorResponse(err);
      if (!allowed.isEmpty()) {
        resp = resp.withHeader("Allow", String.join(", ", allowed));
      }
      writeBeforeHandler(exchange, resp);
      return;
    }
    if (!acceptable(exchange.getRequestHeaders().get(Headers.ACCEPT))) {
      writeBeforeHandler(exchange, errorResponse(RestError.notAcceptable("Server accepts: " + ACCEPTABLE)));
      return;
    }
    Map<String, String> pathParams = new LinkedHashMap<>(match.getParameters());
    RestHandler handler = match.getValue();
    long max = maxBodyBytes;
    if (max > 0 && BodyReader.declaredLength(exchange) > max) {
      // Rejected on the header alone. Not persistent: the exchange's end closes the read side
      // instead of draining the body it announced.
      tooLarge(exchange, max, reqId, start);
      return;
    }
    // The dispatch keeps the exchange open after handleRequest returns; the body is then read
    // on this I/O thread, and the reader's callbacks run outside Undertow's root-handler call,
    // so nothing ends the exchange before an asynchronous answer is written.
    exchange.dispatch(SameThreadExecutor.INSTANCE, () -> BodyReader.read(exchange, max, new BodyReader.Done() {
      @Override
      public void body(HttpServerExchange ex, byte[] bytes) {
        dispatch(ex, handler, pathParams, bytes, reqId, start);
      }

      @Override
      public void tooLarge(HttpServerExchange ex) {
        RestRouter.this.tooLarge(ex, max, reqId, start);
      }

      @Override
      public void failed(HttpServerExchange ex, IOException e) {
        ex.setPersistent(false);
        writeBeforeHandler(ex, errorResponse(RestError.invalidContent("cannot read body: " + e.getMessage())));
      }
    }));
  }

  /** 413, and the connection closed after it: the rest of the body is never read. */
  private void tooLarge(HttpServerExchange exchange, long max, String reqId, long start) {
    LOG.debug("request body over {} bytes on {} {} rejected", max, exchange.getRequestMethod(),
        exchange.getRequestPath());
    exchange.setPersistent(false);
    write(exchange, errorResponse(RestError.payloadTooLarge(max)), reqId, start);
  }

  private void dispatch(HttpServerExchange exchange, RestHandler handler, Map<String, String> pathParams,
      byte[] bytes, String reqId, long start) {
    Object body;
    try {
      body = parseBody(exchange, bytes);
    } catch (RestError e) {
      writeBeforeHandler(exchange, errorResponse(e));
      return;
    }
    CompletionStage<RestResponse> stage;
    try {
      stage = handler.handle(new RestRequest(exchange, reqId, pathParams, body));
    } catch (RuntimeException e) {
      write(exchange, errorFor(e, exchange), reqId, start);
      return;
    }
    stage.whenComplete((resp, failure) -> {
      RestResponse out = failure == null ? resp : errorFor(failure, exchange);
      if (exchange.isInIoThread()) {
        write(exchange, out, reqId, start);
      } else {
        exchange.getIoThread().execute(() -> write(exchange, out, reqId, start));
      }
    });
  }

  private static Object parseBody(HttpServerExchange exchange, byte[] bytes) {
    if (bytes.length == 0) {
      return null;
    }
    String ct = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
    String type = ct == null ? "" : ct.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (type.equals("application/json") || type.endsWith("+json")) {
      try {
        return Json.parse(bytes);
      } catch (Json.JsonFormatException e) {
        throw RestError.invalidContent("Invalid JSON: " + e.getMessage());
      }
    }
    if (type.equals("application/x-www-form-urlencoded")) {
      Map<String, Object> form = new LinkedHashMap<>();
      for (String pair : new String(bytes, StandardCharsets.UTF_8).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        String[] kv = pair.split("=", 2);
        form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
      return form;
    }
    return null; // restify ignores bodies of other types
  }

  private static RestResponse errorFor(Throwable failure, HttpServerExchange exchange) {
    Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (t instanceof RestError re) {
      return errorResponse(re);
    }
    LOG.error("handler failed on {} {}", exchange.getRequestMethod(), exchange.getRequestPath(), t);
    return errorResponse(RestError.internalError(String.valueOf(t.getMessage())));
  }

  public static RestResponse errorResponse(RestError e) {
    return RestResponse.of(e.status(), e.body());
  }

  private List<String> allowedMethods(String path) {
    List<String> allowed = new ArrayList<>();
    for (Map.Entry<String, PathTemplateMatcher<RestHandler>> e : byMethod.entrySet()) {
      if (e.getValue().match(path) != null) {
        allowed.add(e.getKey());
      }
    }
    return allowed;
  }

  private static boolean acceptable(HeaderValues accept) {
    if (accept == null || accept.isEmpty()) {
      return true;
    }
    Set<String> ok = Set.of("application/json", "text/plain", "application/octet-stream",
        "application/javascript", "*/*", "application/*", "text/*");
    for (String header : accept) {
      for (String part : header.split(",")) {
        String type = part.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (ok.contains(type)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * An answer from a handler (or about its body's size): with the headers the restify
   * services add in a handler of their chain ({@code Server}, {@code x-request-id},
   * {@code x-response-time}, {@code x-server-name}).
   */
  private void write(HttpServerExchange exchange, RestResponse resp, String reqId, long start) {
    var h = exchange.getResponseHeaders();
    h.put(Headers.SERVER, serverHeader);
    h.put(X_REQUEST_ID, reqId);
    h.put(X_RESPONSE_TIME, Long.toString((System.nanoTime() - start) / 1_000_000));
    h.put(X_SERVER_NAME, LOCAL_HOSTNAME);
    writeBeforeHandler(exchange, resp);
  }

  /**
   * An answer restify gives before that chain runs (no route, wrong method, {@code Accept} or
   * a body that is not JSON): {@code Date}, {@code Connection} and the body only, as the
   * reference's 400 InvalidContent.
   */
  private static void writeBeforeHandler(HttpServerExchange exchange, RestResponse resp) {
    exchange.setStatusCode(resp.status());
    var h = exchange.getResponseHeaders();
    // Node's HTTP server says whether it keeps the connection, and for how long when it does.
    if (exchange.isPersistent()) {
      h.put(CONNECTION, "keep-alive");
      h.put(KEEP_ALIVE, KEEP_ALIVE_VALUE);
    } else {
      h.put(CONNECTION, "close");
    }
    resp.headers().forEach((k, v) -> h.put(new HttpString(k), v));
    if (resp.body() == null || resp.status() == 204) {
      exchange.endExchange();
      return;
    }
    byte[] bytes;
    if (resp.body() instanceof RestResponse.Text text) {
      bytes = text.body().getBytes(StandardCharsets.UTF_8);
      h.put(Headers.CONTENT_TYPE, text.contentType());
    } else {
      bytes = Json.compactBytes(resp.body());
      h.put(Headers.CONTENT_TYPE, "application/json");
    }
    h.put(Headers.CONTENT_LENGTH, bytes.length);
    exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
  }

  private static String firstNonEmpty(String a, String b) {
    if (a != null && !a.isEmpty()) {
      return a;
    }
    return b != null && !b.isEmpty() ? b : null;
  }

  private static String localHostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }
}
